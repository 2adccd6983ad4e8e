"""Word lists the statement parser works from: reporting verbs, titles, speaker nouns, organisations."""

from __future__ import annotations


def wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of a word-list literal."""
    return frozenset(text.split())


# Reporting verbs by lemma, with the forms that may appear as a cue. Not "believe": a belief is not
# speech ("It was at first believed that …"). "accused" only with the passive guard of frames.py: "X is
# accused by Y of …" does not give the statement to X. Not "indicate": polls and records indicate.
_VERBS = wordset("""
say says said saying
tell tells told telling
add adds added adding
write writes wrote writing
stated
announce announces announced announcing
note notes noted noting
explain explains explained explaining
argue argues argued arguing
ask asks asked
warn warns warned warning
claim claims claimed claiming
insist insists insisted insisting
declare declares declared declaring
reply replies replied replying
respond responds responded responding
continue continues continued
remark remarks remarked
recall recalls recalled recalling
suggest suggests suggested suggesting
acknowledge acknowledges acknowledged acknowledging
admit admits admitted admitting
concede concedes conceded conceding
confirm confirms confirmed confirming
deny denies denied denying
stress stresses stressed stressing
emphasize emphasizes emphasized emphasizing emphasise emphasises emphasised
tweet tweets tweeted tweeting
post posts posted
testify testifies testified testifying
predict predicts predicted predicting
promise promises promised promising
pledge pledges pledged pledging
vow vows vowed vowing
urge urges urged urging
describe describes described describing
report reports reported
comment comments commented commenting
observe observes observed observing
counter counters countered countering
agree agrees agreed agreeing
assert asserts asserted asserting
complain complains complained complaining
maintain maintains maintained maintaining
contend contends contended contending
mention mentions mentioned mentioning
caution cautions cautioned cautioning
allege alleges alleged alleging
boast boasts boasted boasting
joke jokes joked joking
quip quips quipped
shout shouts shouted shouting
scoff scoffs scoffed
muse muses mused
reiterate reiterates reiterated reiterating
repeat repeats repeated repeating
recount recounts recounted recounting
conclude concludes concluded concluding
repeating
proclaim proclaims proclaimed
call calls called
speculate speculates speculated speculating
accuse accuses accused accusing
relate relates related
find finds found
show shows showed
estimate estimates estimated
point points pointed
dispute disputes disputed disputing
reject rejects rejected rejecting
citing
assure assures assured assuring
stating
""")

CUE_WORDS = _VERBS
# Cues that are weak on their own: they count only next to a quote or with a clear clause.
WEAK_CUES = wordset("""post posts posted continue continues continued report reports reported
counter counters countered agree agrees agreed observe observes observed maintain maintains
maintained repeat repeats repeated repeating state states stated believe believes believed find finds
found show shows showed estimate estimates estimated relate relates related citing""")
# Words that may sit between a speaker and the cue ("he has also said").
AUXILIARIES = wordset("""has have had also later earlier previously repeatedly then further once often
publicly recently again first initially privately separately quickly simply flatly bluntly angrily
bitterly openly clearly explicitly reportedly allegedly would will could may might did does do
just never frequently since subsequently kept keeps has't had already even still always flat-out""")

PRONOUNS = {"he": "person", "she": "person", "they": "unknown", "it": "organisation", "i": "person",
            "we": "unknown", "you": "unknown", "him": "person", "her": "person"}

# Titles and role words: part of a speaker's role, never of the name.
TITLES = wordset("""president vice secretary minister prime foreign defense defence interior finance
general gen gen. lt lt. col col. maj maj. capt capt. sgt sgt. adm adm. cmdr cmdr. admiral colonel major
captain sergeant lieutenant commander sen sen. senator rep rep. representative congressman
congresswoman congressmember gov gov. governor mayor judge justice chief attorney director spokesman
spokeswoman spokesperson chairman chairwoman chair ceo cfo coo founder co-founder executive
ambassador envoy dr dr. mr mr. mrs mrs. ms ms. prof prof. professor rev rev. pastor father bishop
pope king queen prince princess sheriff commissioner superintendent deputy assistant associate
senior state speaker leader majority minority whip treasurer chancellor officer official
president-elect manager coach analyst economist lawyer host anchor reporter correspondent editor
pollster strategist adviser advisor consultant candidate nominee member lawmaker delegate
inspector detective trooper council councilman councilwoman councilmember alderman
secretary-general undersecretary under chairperson president's first lady former retired
longtime top acting interim then-president then-candidate press house white senate
cabinet chief-of-staff staff of the""")

HONORIFICS = wordset("mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame rev rev. miss")

# Lower-case nouns that can head a speaker phrase ("officials said", "the company said").
SPEAKER_NOUNS = wordset("""official officials spokesman spokeswoman spokesperson spokespeople aide aides
source sources critic critics analyst analysts expert experts observer observers economist economists
lawmaker lawmakers legislator legislators senator senators representatives leader leaders police
officer officers investigator investigators prosecutor prosecutors attorney attorneys lawyer lawyers
researcher researchers scientist scientists doctor doctors resident residents witness witnesses
company companies firm group groups organization organisation agency ministry department government
administration campaign party committee report statement study survey poll letter memo filing
document documents complaint lawsuit court judge jury officials authorities authority ministry
spokesmen supporters opponents protesters activists advocates voters people members statement
president minister secretary governor mayor chairman chairwoman ceo director manager teacher teachers
parent parents student students worker workers union unions candidate nominee campaign
military army navy diplomat diplomats envoy ambassador agency regulator regulators prosecutor
coroner sheriff chief commissioner board council office website post tweet spokesperson
newspaper paper magazine outlet network broadcaster editorial editor executive executives owner owners
founder""")

# Lower-case heads that make a speaker phrase an organisation ("the district said").
INSTITUTIONS = wordset("""district city county state company firm agency ministry department government
administration campaign party committee council court police school university hospital union board
office group team club church bank military army navy embassy commission regulator prosecutor's
company's firm's network newspaper magazine broadcaster outlet airline manufacturer retailer
website""")

# Common given names, for telling "he" from "she" when nothing else does.
FEMALE_NAMES = wordset("""mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy
betty margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah
stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma nicole
helen samantha katherine christine debra rachel carolyn janet catherine maria heather diane ruth
julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith megan andrea cheryl
hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice jean abigail alice
judy sophia grace denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany
charlotte marie kayla alexis lori hillary nikki nancy kamala elizabeth ursula angela theresa
giorgia marine jacinda sanna kaja liz nicola ilhan alexandria lindsey susan dianne nina elena irina
becky kate katie jen jenny liz beth sue deb meg olga natalia svetlana yulia tatiana ana sofia lucia
carmen isabel rosa ines""")
MALE_NAMES = wordset("""james robert john michael david william richard joseph thomas charles christopher
daniel matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott
brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose
adam nathan henry douglas zachary peter kyle ethan walter noah jeremy christian keith roger terry
gerald harold sean austin carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel
logan albert willie alan juan wayne elijah randy roy vincent ralph eugene russell bobby mason
philip louis barack joe mike mitch chuck bernie ted marco rand lindsey jeb newt kevin antony
jens sergei vladimir volodymyr emmanuel olaf boris rishi keir justin xi narendra recep benjamin
chris matt dan tom tim nick sam ben jim bob bill greg doug steve ed fred
dmitry dmitri alexei mikhail ivan igor viktor andrzej klaus pedro carlos luis miguel jorge""")

ORG_WORDS = wordset("""department ministry party committee council association agency inc inc. corp corp.
company co co. ltd university college institute foundation project international union office
commission news times post journal house court campaign police government administration bank
group organization organisation network service services center centre fund federation league
alliance coalition board senate congress parliament assembly army navy forces force command
authority bureau press reuters tribune herald guardian telegraph review magazine radio tv
television cnn bbc nbc abc cbs fox msnbc npr afp ap pbs kremlin pentagon white state
nations embassy hospital clinic school schools legislature cabinet court tribunal county city
district street st st. avenue ave road park square bay beach valley river lake island heights center
centre airport station""")

COUNTRIES = wordset("""afghanistan albania algeria argentina armenia australia austria azerbaijan
bahrain bangladesh belarus belgium bolivia bosnia brazil bulgaria cambodia cameroon canada chile china
colombia croatia cuba cyprus czechia denmark egypt estonia ethiopia finland france georgia germany
ghana greece hungary iceland india indonesia iran iraq ireland israel italy japan jordan kazakhstan
kenya kosovo kuwait latvia lebanon libya lithuania luxembourg malaysia mali malta mexico moldova
mongolia montenegro morocco myanmar nepal netherlands nicaragua niger nigeria norway pakistan
palestine panama peru philippines poland portugal qatar romania russia rwanda serbia singapore
slovakia slovenia somalia spain sudan sweden switzerland syria taiwan tajikistan tanzania thailand
tunisia turkey turkmenistan uganda ukraine uzbekistan venezuela vietnam yemen zambia zimbabwe
britain england scotland wales europe washington moscow beijing kyiv kiev london paris berlin
brussels tokyo tehran ankara nato eu u.s. u.s usa us uk u.k. un u.n. america
alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho illinois
indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi
missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont
virginia wisconsin wyoming""")
# places with two words, typed as organisations (they speak through their governments)
PLACE_PAIRS = wordset("""new_york new_jersey new_mexico new_hampshire north_carolina south_carolina
north_dakota south_dakota west_virginia rhode_island san_francisco los_angeles san_jose san_diego
las_vegas hong_kong new_zealand south_africa north_korea south_korea saudi_arabia united_states
united_kingdom european_union united_nations white_house hunters_point""")

# Words that end a speaker phrase when walking left from a cue.
CLAUSE_WORDS = wordset("""that which who whom whose where when while because although though if
unless as after before since until and but or so yet than whether how why what nor once
has have had is are was were be been being do does did not no""")

# Lower-case function words allowed inside a name or organisation ("Bank of America").
NAME_CONNECTORS = wordset("of the for and de da del della di du van von der den al bin la le")

# Time and manner words that may sit between a cue and its content ("said Tuesday that").
ADJUNCT_WORDS = wordset("""monday tuesday wednesday thursday friday saturday sunday yesterday today
tonight earlier later recently again also publicly privately repeatedly then too afterward afterwards
night morning afternoon evening week month year last this in a an the on at during with to after
before from over via through his her their its an interview statement news conference press
briefing speech hearing email emailed remarks phone telephone call televised so by via email statement""")

ABBREVIATIONS = wordset("""mr mrs ms dr gen sen rep gov lt col sgt capt maj adm cmdr st jr sr prof rev
hon pres no vol jan feb mar apr jun jul aug sep sept oct nov dec inc corp co ltd vs etc u.s u.n u.k
e.u d.c a.m p.m ft mt ave blvd dept est fig gov't univ assn bros messrs mmes""")
