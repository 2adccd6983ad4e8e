"""The boilerplate pass, rule by rule: what it removes and the real paragraphs it keeps."""

from __future__ import annotations

import pytest

from worker.extract.boilerplate import Block, clean_blocks, is_boilerplate

ARTICLE = [
    Block("p", "The council approved the budget on Wednesday after a long debate about school repairs."),
    Block("p", "\u201cWe stop patching and start fixing,\u201d the chair told councillors before the vote."),
    Block("p", "Opposition members said the plan relied on a one-off land sale and voted against it."),
    Block("p", "The budget takes effect on January 1 and a list of schools will follow in December."),
]


@pytest.mark.parametrize(
    "text",
    [
        # comment forms and their prompts
        "Please enter your comment!", "Please enter your name here",
        "You have entered an incorrect email address!", "Post Comment", "Leave a reply", "LEAVE A REPLY",
        "Leave a Reply Cancel reply",
        "Save my name, email, and website in this browser for the next time I comment.",
        "Your email address will not be published. Required fields are marked *", "12 Comments", "Comments",
        "Lasă un comentariu", "Laisser un commentaire",
        # share and like bars
        "Share on Facebook", "Tweet", "WhatsApp", "Share this:",
        "Share on Facebook Tweet WhatsApp Email Print",
        "Like this story? Share it with a friend!", "Follow us on Twitter and Facebook",
        # newsletter and cookie prompts
        "Sign up for our newsletter and get the top stories in your inbox.",
        "We use cookies to give you the best experience. By continuing you accept our cookie policy.",
        # related and most-read headings
        "Related posts", "Most read", "You may also like", "You might also like", "Citește și",
        # teasers
        "Read more: Alibaba poised to launch record Hong Kong listing", "READ MORE",
        "ALSO READ: Ten things to know",
        "VIDEO | Romania is ready to host more NATO troops, president says",
        "China furious at Macron for protest jibe [INSIGHT]", "À lire aussi : Des vendanges précoces",
        # image credits standing alone
        "Sursa: Flickr", "Photo: Reuters", "Source: Flickr", "Foto: Agerpres", "(Getty Images)",
        # furniture
        "© 2024 Riverside Post. All rights reserved.", "Reading time: 3 minutes", "Filed under: Politics",
    ],
)
def test_removes(text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "An Alibaba spokesperson declined to comment on the pricing to Reuters.",
        "The minister refused to comment on the report, saying only that the inquiry would take its course.",
        "Shares in the company fell 4% on Tuesday after it cut its forecast for the year.",
        "She said she would share the findings with the committee next week.",
        "The photo, taken by a local resident, shows the bridge minutes before it collapsed.",
        "Readers who left comments on the earlier story asked why the council had waited so long.",
        "Source: the ministry said the figures would be revised next month after a new count of the votes.",
        "Twitter said on Monday it would change its rules.",
        "Read the full report on the agency's website, where the data is published every quarter, "
        "together with a long explanation of the method used to weight the survey answers and the "
        "changes made since last year to the way households are sampled in rural areas of the country.",
        "The newsletter, founded in 1998 by two retired teachers, now has more than 40,000 readers and "
        "its editor said she had no plans to put it behind a paywall despite rising costs of paper "
        "and postage, "
        "which have doubled since the pandemic began and forced many similar titles to close for good.",
    ],
)
def test_keeps_real_paragraphs(text: str) -> None:
    assert not is_boilerplate(text)


def test_clean_blocks_drops_repeated_title_and_comment_tail() -> None:
    blocks = [
        Block("head", "Council approves budget"),
        *ARTICLE,
        Block("p", "VIDEO | Romania is ready to host more NATO troops, president says"),
        Block("head", "Leave a reply"),
        Block("p", "Great article, thanks. I agree with every word of it."),
        Block("p", "Please enter your name here"),
    ]
    assert clean_blocks(blocks, title="Council approves budget") == ARTICLE


def test_clean_blocks_drops_related_list_after_its_heading() -> None:
    blocks = [
        *ARTICLE[:2],
        Block("head", "You may also like"),
        Block("p", "Night bus trial extended to March"),
        Block("list", "- Library hours safe for now\n- Flood warning lifted"),
        *ARTICLE[2:],
    ]
    assert clean_blocks(blocks) == ARTICLE


def test_clean_blocks_keeps_a_title_like_paragraph_later_on() -> None:
    blocks = [*ARTICLE[:2], Block("p", "Council approves budget"), *ARTICLE[2:]]
    assert clean_blocks(blocks, title="Council approves budget") == blocks


def test_clean_blocks_keeps_early_paragraph_that_talks_about_comments() -> None:
    blocks = [Block("p", "Comments"), *ARTICLE]
    assert clean_blocks(blocks) == ARTICLE  # a stray marker early on goes, the article stays
