"""Reading and Writing templates for Expression of Ideas and Standard English Conventions.

Every sentence here was written for the simulator; the people, places and works in them
are invented unless the text says otherwise.
"""

from __future__ import annotations

from typing import Any

from claude_simulator.templates.base import Ctx, Item, Template

CONVENTIONS_STEM = (
    "Which choice completes the text so that it conforms to the conventions of Standard English?"
)


def _item(passage: str, stem: str, correct: str, wrong: list[tuple[str, str]], why: str) -> Item:
    return Item(stem, correct, list(wrong), why, None, passage, section="rw")


# --- Rhetorical Synthesis -----------------------------------------------------------------------


NOTES: list[dict[str, Any]] = [
    {
        "topic": "science",
        "level": 0,
        "notes": [
            "Cirrus clouds form high in the atmosphere, usually above 6,000 meters.",
            "They are made of ice crystals and look thin and wispy.",
            "Cumulonimbus clouds can stretch from about 500 meters to more than 12,000 meters "
            "high.",
            "They contain both water droplets and ice and can produce thunderstorms.",
            "Cirrus clouds rarely produce rain or snow that reaches the ground.",
        ],
        "goals": [
            (
                "emphasize a difference in the heights of the two kinds of clouds",
                "Cirrus clouds usually form above 6,000 meters, while cumulonimbus clouds can "
                "reach from about 500 meters to more than 12,000 meters.",
                "compares the heights of the two kinds of clouds",
            ),
            (
                "explain what cirrus clouds are made of",
                "Cirrus clouds are made of ice crystals, which give them their thin and wispy "
                "appearance.",
                "describes what cirrus clouds are made of",
            ),
            (
                "contrast the weather the two kinds of clouds produce",
                "While cirrus clouds rarely produce rain or snow that reaches the ground, "
                "cumulonimbus clouds can produce thunderstorms.",
                "contrasts the weather the two kinds of clouds produce",
            ),
            (
                "describe cumulonimbus clouds to an audience unfamiliar with them",
                "Cumulonimbus clouds, which contain both water droplets and ice, are tall clouds "
                "that can produce thunderstorms.",
                "describes only cumulonimbus clouds",
            ),
        ],
        "ask": [0, 1, 2, 3],
    },
    {
        "topic": "arts",
        "level": 1,
        "notes": [
            "Wilhelmina Sato (1931-2008) was an American textile artist.",
            "She wove large wall hangings from wool she dyed with plants from her garden.",
            "Her 1968 wall hanging Prairie Weather is nine meters long.",
            "It took her three years to complete.",
            "In 1975, she founded a free weaving school for teenagers in her hometown.",
            "The school has since taught more than 2,000 students.",
        ],
        "goals": [
            (
                "emphasize the size of one of Sato's works",
                "Sato's wall hanging Prairie Weather, completed in 1968, is a full nine meters "
                "long.",
                "gives the size of one work",
            ),
            (
                "explain how Sato produced the colors in her work",
                "Sato colored the wool for her wall hangings with dyes made from plants in her "
                "garden.",
                "explains how Sato colored her wool",
            ),
            (
                "emphasize Sato's influence on young people",
                "The free weaving school Sato founded for teenagers has taught more than 2,000 "
                "students.",
                "emphasizes the reach of Sato's school",
            ),
            (
                "introduce Sato to an audience unfamiliar with her",
                "Wilhelmina Sato (1931-2008) was an American artist known for large woven wall "
                "hangings.",
                "introduces who Sato was",
            ),
        ],
        "ask": [0, 1, 2, 3],
    },
    {
        "topic": "science",
        "level": 1,
        "notes": [
            "Pikas are small mammals related to rabbits.",
            "They live on rocky mountain slopes in parts of Asia and North America.",
            "Pikas do not hibernate.",
            "In summer, they gather grasses and flowers and store them in piles called haypiles.",
            "The haypiles are their main food source during the winter.",
            "Long exposure to temperatures above about 25 degrees Celsius can be deadly to pikas.",
        ],
        "goals": [
            (
                "explain how pikas survive the winter without hibernating",
                "Pikas do not hibernate; instead, they survive winter by eating from haypiles "
                "gathered in summer.",
                "explains how pikas get through the winter",
            ),
            (
                "describe where pikas live",
                "Pikas, small relatives of rabbits, live on rocky mountain slopes in Asia and "
                "North America.",
                "describes where pikas live",
            ),
            (
                "emphasize a danger that warm weather poses to pikas",
                "Long exposure to temperatures above about 25 degrees Celsius can be deadly to "
                "pikas.",
                "describes a danger posed by heat",
            ),
            (
                "describe what pikas do in the summer",
                "In the summer, pikas gather grasses and flowers and store them in piles called "
                "haypiles.",
                "describes what pikas gather in summer",
            ),
        ],
        "ask": [0, 1, 2],
    },
    {
        "topic": "history",
        "level": 2,
        "notes": [
            "The Marrow Creek Footbridge was completed in 1902 in the town of Ashgrove.",
            "It was built of reinforced concrete, a material that was new at the time.",
            "Many residents doubted that concrete would be strong enough for a bridge.",
            "To prove its strength, engineer Clara Holm had forty cattle driven across it on "
            "opening day.",
            "The bridge is still used by pedestrians today.",
        ],
        "goals": [
            (
                "explain how Holm responded to doubts about the bridge",
                "To reassure doubtful residents, engineer Clara Holm had forty cattle driven "
                "across the bridge on opening day.",
                "describes how Holm reassured residents",
            ),
            (
                "emphasize how long the bridge has remained in use",
                "The Marrow Creek Footbridge, completed in 1902, is still used by pedestrians "
                "more than a century later.",
                "emphasizes how long the bridge has been used",
            ),
            (
                "emphasize that the bridge's building material was new at the time",
                "When it was built in 1902, the bridge was made of reinforced concrete, then a "
                "new material.",
                "notes that the bridge's material was new",
            ),
            (
                "state where the bridge is located",
                "The Marrow Creek Footbridge, a concrete bridge for pedestrians, is in the town "
                "of Ashgrove.",
                "states where the bridge is",
            ),
        ],
        "ask": [0, 1, 2],
    },
]


def rhetorical_synthesis(ctx: Ctx) -> Item:
    units = [(n, g) for n in NOTES for g in n["ask"]]
    notes, goal_index = ctx.rotate(
        units, level_of=lambda u: u[0]["level"], round_of=lambda u: u[0]["ask"].index(u[1])
    )
    goal, correct, _ = notes["goals"][goal_index]
    wrong = [
        (sentence, f"This choice {does}, but it does not {goal}.")
        for i, (_, sentence, does) in enumerate(notes["goals"])
        if i != goal_index
    ]
    passage = "While researching a topic, a student has taken the following notes:\n" + "\n".join(
        f"- {line}" for line in notes["notes"]
    )
    stem = (
        f"The student wants to {goal}. Which choice most effectively uses relevant information "
        "from the notes to accomplish this goal?"
    )
    why = f"The goal is to {goal}. This choice does exactly that, using information from the notes."
    return _item(passage, stem, correct, wrong, why)


# --- Transitions -------------------------------------------------------------------------------


SIGNALS = {
    "However,": "signals a contrast",
    "Nevertheless,": "signals that what follows happens in spite of what came before",
    "By contrast,": "signals a contrast between two things",
    "In contrast,": "signals a contrast between two things",
    "For example,": "introduces an example of the preceding claim",
    "For instance,": "introduces an example of the preceding claim",
    "Similarly,": "signals that what follows resembles what came before",
    "As a result,": "signals that what follows is a result of what came before",
    "Consequently,": "signals that what follows is a consequence of what came before",
    "For this reason,": "signals that what follows is a result of what came before",
    "Therefore,": "signals a conclusion drawn from what came before",
    "In addition,": "adds a further point of the same kind",
    "Next,": "marks the next step in a sequence",
    "In fact,": "emphasizes and strengthens the preceding point",
    "Specifically,": "introduces a more precise account of the preceding point",
    "Later,": "signals that what follows happened at a later time",
    "Instead,": "introduces an alternative to something just ruled out",
}

TRANSITIONS: list[dict[str, Any]] = [
    {
        "topic": "science",
        "level": 0,
        "passage": "The Atacama Desert in Chile receives almost no rain, and its high altitude "
        "means there is little water vapor in the air above it. ______ the region has some of "
        "the clearest night skies on Earth, and several major observatories have been built "
        "there.",
        "correct": "As a result,",
        "wrong": ["However,", "For instance,", "Similarly,"],
        "relation": "the clear skies follow from the dry air described in the first sentence",
    },
    {
        "topic": "science",
        "level": 0,
        "passage": "Several animals besides humans use tools in the wild. ______ some sea otters "
        "crack open shellfish by striking them against rocks that they carry tucked under their "
        "forelegs.",
        "correct": "For example,",
        "wrong": ["Nevertheless,", "As a result,", "In contrast,"],
        "relation": "the sea otters are one case of an animal using tools",
    },
    {
        "topic": "social",
        "level": 0,
        "passage": "The city's new bike-share program was designed mainly to reduce car traffic "
        "downtown. ______ planners hoped it would give residents without cars an affordable way "
        "to reach jobs across the river.",
        "correct": "In addition,",
        "wrong": ["However,", "For example,", "As a result,"],
        "relation": "the second sentence adds another goal of the program",
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Most spiders spin new webs every day or two and abandon the old ones. ______ "
        "some social spiders share a single large web that a colony may keep repairing and using "
        "for years.",
        "correct": "By contrast,",
        "wrong": ["Similarly,", "For this reason,", "In addition,"],
        "relation": "the long-lasting shared webs differ from the short-lived webs of most spiders",
    },
    {
        "topic": "history",
        "level": 0,
        "passage": "The first step in making traditional paper from mulberry bark is to soak the "
        "bark in water until it softens. ______ the softened fibers are boiled with wood ash and "
        "then beaten by hand into a pulp.",
        "correct": "Next,",
        "wrong": ["In contrast,", "For example,", "Nevertheless,"],
        "relation": "boiling and beating the fibers is the step that follows soaking",
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Bats find insects in the dark by making high-pitched calls and listening for "
        "the echoes. ______ oilbirds, which nest in pitch-black caves, find their way by making "
        "clicking sounds and listening for the echoes that bounce back.",
        "correct": "Similarly,",
        "wrong": ["However,", "As a result,", "For instance,"],
        "relation": "the oilbirds use echoes much as bats do, though they are not bats",
    },
    {
        "topic": "arts",
        "level": 2,
        "passage": "Painter Odile Marchand did not regard her large canvas The Harbor at Noon as "
        "finished when it was first exhibited in 1931. ______ she continued to rework it for "
        "nearly two decades, repainting the sky at least four times.",
        "correct": "In fact,",
        "wrong": ["However,", "Similarly,", "In contrast,"],
        "relation": "decades of reworking strengthen the point that she did not consider the "
        "painting finished",
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Glass frogs have translucent skin on their undersides, through which their "
        "internal organs can be seen. ______ researchers can watch a glass frog's heart beating "
        "without harming the animal.",
        "correct": "Consequently,",
        "wrong": ["However,", "For example,", "Similarly,"],
        "relation": "being able to see the heart follows from the translucent skin",
    },
    {
        "topic": "history",
        "level": 2,
        "passage": "The survey ship was trapped in sea ice for nearly ten months, and several "
        "members of its crew became seriously ill. ______ the expedition completed its map of "
        "the coastline and returned home the following summer.",
        "correct": "Nevertheless,",
        "wrong": ["As a result,", "For instance,", "Similarly,"],
        "relation": "the expedition succeeded in spite of the hardships just described",
    },
    {
        "topic": "social",
        "level": 1,
        "passage": "The consultants' report recommended several changes to the town's recycling "
        "program. ______ it proposed collecting glass separately from other recyclables and "
        "placing drop-off bins at the two largest grocery stores.",
        "correct": "Specifically,",
        "wrong": ["However,", "Similarly,", "As a result,"],
        "relation": "the second sentence spells out what the recommended changes were",
    },
    {
        "topic": "history",
        "level": 1,
        "passage": "In 1911, Edith Marlowe began working as a typist at a small weather office "
        "in Bristol, copying out other people's forecasts. ______ she became one of the first "
        "women in Britain to lead a team of professional forecasters.",
        "correct": "Later,",
        "wrong": ["In contrast,", "For example,", "Similarly,"],
        "relation": "leading a team came after her start as a typist",
    },
    {
        "topic": "history",
        "level": 2,
        "passage": "After the flood, the town council decided not to tear down the damaged "
        "market hall. ______ it hired engineers to raise the building onto new foundations, "
        "preserving its nineteenth-century iron frame.",
        "correct": "Instead,",
        "wrong": ["Similarly,", "For example,", "In addition,"],
        "relation": "raising the building is what the council did in place of tearing it down",
    },
]


def transitions(ctx: Ctx) -> Item:
    unit = ctx.rotate(TRANSITIONS, level_of=lambda u: u["level"])
    relation = unit["relation"]
    wrong = [(w, f'"{w.rstrip(",")}" {SIGNALS[w]}, but {relation}.') for w in unit["wrong"]]
    correct = unit["correct"]
    why = f'"{correct.rstrip(",")}" {SIGNALS[correct]}: {relation}.'
    return _item(
        unit["passage"],
        "Which choice completes the text with the most logical transition?",
        correct,
        wrong,
        why,
    )


# --- Boundaries ------------------------------------------------------------------------------


BOUNDARIES: list[dict[str, Any]] = [
    {
        "topic": "science",
        "level": 0,
        "passage": "The Mariana Trench is the deepest known part of Earth's ______ deepest point "
        "lies nearly 11 kilometers below the surface of the Pacific. Only a few crewed vessels "
        "have ever reached it.",
        "correct": "oceans. Its",
        "wrong": [
            (
                "oceans, its",
                "This joins two independent clauses with only a comma, creating a comma splice.",
            ),
            ("oceans its", "This runs two independent clauses together with no punctuation."),
            (
                "oceans, which its",
                '"Which" cannot introduce a clause that already has '
                'its own subject, "deepest point."',
            ),
        ],
        "why": "Two independent clauses meet at the blank, so they must be separated; a period "
        'does this, and "Its" begins the new sentence.',
    },
    {
        "topic": "science",
        "level": 0,
        "passage": "The axolotl, a salamander that keeps its feathery external gills throughout "
        "its ______ native to only a few lakes and canals near Mexico City. Its wild population "
        "has declined sharply.",
        "correct": "life, is",
        "wrong": [
            (
                "life is",
                "This fails to close the nonessential phrase that begins after "
                '"axolotl," with a matching comma.',
            ),
            ("life; is", 'A semicolon separates the subject "The axolotl" from its verb "is."'),
            ("life: is", 'A colon separates the subject "The axolotl" from its verb "is."'),
        ],
        "why": 'The phrase "a salamander that keeps ... its life" interrupts the main clause '
        'and opens with a comma, so it must close with a comma before the verb "is."',
    },
    {
        "topic": "history",
        "level": 1,
        "passage": "The museum's new exhibit focuses on a single material that shaped early trade "
        "around the Baltic ______ the fossilized tree resin that merchants carried hundreds of "
        "kilometers along river routes.",
        "correct": "Sea: amber,",
        "wrong": [
            (
                "Sea; amber,",
                "A semicolon must join two independent clauses, but what follows is a noun phrase.",
            ),
            ("Sea. Amber,", "This makes the noun phrase that follows a sentence fragment."),
            ("Sea amber,", "Without punctuation, the noun phrase runs into the main clause."),
        ],
        "why": 'The main clause ends with "the Baltic Sea," and a colon properly introduces '
        "the material it refers to: amber.",
    },
    {
        "topic": "arts",
        "level": 1,
        "passage": "The thousands of tiny mirrors set into the ceiling of the restored ______ the "
        "light of a single lantern into a shimmering pattern that covers the whole hall.",
        "correct": "palace scatter",
        "wrong": [
            ("palace, scatter", 'A comma should not separate the subject from its verb "scatter."'),
            ("palace; scatter", "A semicolon should not separate the subject from its verb."),
            ("palace: scatter", "A colon should not separate the subject from its verb."),
        ],
        "why": '"The thousands of tiny mirrors ... palace" is the subject and "scatter" is its '
        "verb; no punctuation belongs between them.",
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "The conference featured three keynote speakers: Rana Aziz, a hydrologist who "
        "studies ______ Tomás Ferreira, an engineer who designs desalination plants; and "
        "Min-jung Park, an economist who analyzes water prices.",
        "correct": "groundwater;",
        "wrong": [
            (
                "groundwater,",
                "Because each item contains a comma, commas alone make it "
                "unclear where one item ends, and the list elsewhere uses semicolons.",
            ),
            (
                "groundwater:",
                "A colon has already introduced the list; a second colon here is not conventional.",
            ),
            ("groundwater", "Without punctuation, the first item runs into the second."),
        ],
        "why": "The items in the list contain internal commas, so semicolons separate them, as "
        'the text does before "and Min-jung Park."',
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "Tardigrades, microscopic animals that can survive freezing, boiling, and even "
        "the vacuum of ______ found in habitats ranging from mountaintops to the deep sea. Most "
        "are less than a millimeter long.",
        "correct": "space, are",
        "wrong": [
            (
                "space are",
                "This fails to close the phrase that interrupts the subject and "
                'verb with a comma to match the one after "Tardigrades."',
            ),
            ("space; are", 'A semicolon separates the subject "Tardigrades" from its verb "are."'),
            ("space. Are", "A period here leaves the first part without a main verb."),
        ],
        "why": 'The phrase beginning "microscopic animals" interrupts the sentence and opens '
        'with a comma, so a matching comma must close it before the verb "are."',
    },
    {
        "topic": "science",
        "level": 0,
        "passage": "When part of the volcanic island collapsed into the sea during the ______ "
        "triggered a tsunami that struck the coasts of two nearby islands. Scientists later mapped "
        "the collapse using satellite images.",
        "correct": "eruption, it",
        "wrong": [
            (
                "eruption; it",
                'A semicolon cannot follow a dependent clause like "When ... eruption."',
            ),
            ("eruption. It", 'A period leaves the "When" clause as a fragment.'),
            ("eruption: it", "A colon must follow an independent clause, not a dependent one."),
        ],
        "why": 'A comma conventionally separates an introductory dependent clause ("When ... '
        'eruption") from the main clause that follows.',
    },
    {
        "topic": "arts",
        "level": 1,
        "passage": "Sourdough bread rises without commercial ______ the wild yeasts and bacteria "
        "in its starter work more slowly, so the dough may need a full day to rise.",
        "correct": "yeast, but",
        "wrong": [
            ("yeast but,", 'The comma belongs before "but," not after it.'),
            ("yeast, but,", 'No comma should follow "but" here.'),
            ("yeast; but,", 'A semicolon before "but" and a comma after it are both unnecessary.'),
        ],
        "why": 'Two independent clauses are joined by the coordinating conjunction "but," '
        "which is conventionally preceded by a comma.",
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "Cactus spines shade the stem and slow the movement of air across its "
        "______ less water evaporates from the plant during the hottest part of the day.",
        "correct": "surface; consequently,",
        "wrong": [
            (
                "surface, consequently,",
                '"Consequently" is not a conjunction, so a comma before it creates a comma splice.',
            ),
            (
                "surface consequently",
                "With no punctuation, the two independent clauses run together.",
            ),
            (
                "surface, consequently;",
                'This puts the semicolon after "consequently," '
                "attaching the word to the wrong clause.",
            ),
        ],
        "why": 'A semicolon joins the two independent clauses, and "consequently," followed by '
        "a comma, begins the second clause.",
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "The only bird groups ______ feed their chicks a milk-like liquid produced in "
        "the throat are pigeons, flamingos, and some penguins. The liquid is rich in fat and "
        "protein.",
        "correct": "that",
        "wrong": [
            (
                ", that",
                'The clause is essential to the meaning of "bird groups," so it '
                "should not be set off with a comma.",
            ),
            ("that,", 'A comma should not separate "that" from the rest of its clause.'),
            (", that,", "Commas should not set off an essential clause or split it."),
        ],
        "why": '"That feed their chicks ... throat" identifies which bird groups are meant, so '
        "it is essential and takes no commas.",
    },
    {
        "topic": "arts",
        "level": 2,
        "passage": "The architect's guiding principle was ______ every room should receive "
        "direct sunlight at some point during the day. She placed windows on at least two walls of "
        "every room to achieve this.",
        "correct": "simple:",
        "wrong": [
            (
                "simple,",
                "A comma cannot join two independent clauses; this creates a comma splice.",
            ),
            ("simple", "With no punctuation, two independent clauses run together."),
            (
                "simple, that",
                'This creates an ungrammatical structure: "was simple, that every room should...."',
            ),
        ],
        "why": "A colon follows the independent clause \"The architect's guiding principle was "
        'simple" and introduces the principle itself.',
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Some hummingbirds enter a state called torpor on cold ______ their heart "
        "rates and body temperatures drop sharply, saving energy until morning. By sunrise, the "
        "birds warm up and resume feeding.",
        "correct": "nights, during which",
        "wrong": [
            (
                "nights, their",
                "This joins two independent clauses with only a comma, creating a comma splice.",
            ),
            ("nights their", "This runs two independent clauses together with no punctuation."),
            ("nights, and, their", 'The comma after "and" is not conventional.'),
        ],
        "why": '"During which" turns the second part into a dependent clause describing the '
        "nights, and a comma properly sets it off.",
    },
]


def boundaries(ctx: Ctx) -> Item:
    unit = ctx.rotate(BOUNDARIES, level_of=lambda u: u["level"])
    return _item(unit["passage"], CONVENTIONS_STEM, unit["correct"], unit["wrong"], unit["why"])


# --- Form, Structure, and Sense ----------------------------------------------------------------


FORMS: list[dict[str, Any]] = [
    {
        "topic": "science",
        "level": 0,
        "passage": "The collection of fossilized footprints discovered along the riverbank "
        "______ evidence that several species of dinosaurs passed through the area. Some of the "
        "tracks are nearly a meter long.",
        "correct": "provides",
        "wrong": [
            ("provide", 'The plural verb does not agree with the singular subject "collection."'),
            (
                "are providing",
                'The plural verb does not agree with the singular subject "collection."',
            ),
            (
                "have provided",
                'The plural verb does not agree with the singular subject "collection."',
            ),
        ],
        "why": 'The subject is the singular noun "collection"; "of fossilized footprints" '
        'only describes it. The singular verb "provides" agrees.',
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Both the length of the growing season and the amount of summer rainfall "
        "______ how much fruit the orchard produces each year. The orchard's owners track both "
        "carefully.",
        "correct": "determine",
        "wrong": [
            (
                "determines",
                'The singular verb does not agree with the compound subject joined by "and."',
            ),
            ("is determining", "The singular verb does not agree with the compound subject."),
            (
                "has determined",
                "The singular verb does not agree with the compound subject, "
                'and "each year" calls for the present tense.',
            ),
        ],
        "why": '"Both ... and" creates a plural compound subject, which takes the plural verb '
        '"determine."',
    },
    {
        "topic": "history",
        "level": 0,
        "passage": "When archaeologists first excavated the site in 1954, they ______ dozens of "
        "clay tablets stacked in what had once been a storeroom. Most of the tablets recorded "
        "shipments of grain.",
        "correct": "found",
        "wrong": [
            ("find", "The present tense does not fit an event in 1954."),
            ("will find", "The future tense does not fit an event in 1954."),
            (
                "have found",
                "The present perfect is not used with a specific past time such as 1954.",
            ),
        ],
        "why": 'The excavation happened in 1954, and "excavated" is in the past tense, so the '
        'simple past "found" is needed.',
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Each spring, the river ______ its banks and spreads a layer of fertile silt "
        "across the surrounding fields. Farmers in the valley have planted their crops in this "
        "silt for centuries.",
        "correct": "overflows",
        "wrong": [
            (
                "overflowed",
                'The past tense does not match "spreads" or the repeated '
                'action signaled by "Each spring."',
            ),
            ("had overflowed", 'The past perfect does not match the present-tense "spreads."'),
            (
                "will have overflowed",
                'The future perfect does not match the present-tense "spreads."',
            ),
        ],
        "why": '"Each spring" describes a repeated action, and the parallel verb "spreads" '
        'is in the present tense, so "overflows" is needed.',
    },
    {
        "topic": "science",
        "level": 0,
        "passage": "Leafcutter ants do not eat the leaves they collect. Instead, ______ use the "
        "leaves to grow a fungus that serves as the colony's food. A large colony can cut leaves "
        "from dozens of plants in a single day.",
        "correct": "they",
        "wrong": [
            ("it", 'The singular pronoun does not agree with the plural antecedent "ants."'),
            ("she", 'The singular pronoun does not agree with the plural antecedent "ants."'),
            ("one", 'The singular pronoun does not agree with the plural antecedent "ants."'),
        ],
        "why": 'The pronoun refers to "Leafcutter ants," which is plural, so "they" is needed.',
    },
    {
        "topic": "arts",
        "level": 1,
        "passage": "The city's youth orchestra announced that ______ next season will include "
        "three works by living composers, one of them written for the orchestra itself. Tickets go "
        "on sale in June.",
        "correct": "its",
        "wrong": [
            ("their", 'The plural pronoun does not agree with the singular noun "orchestra."'),
            ("it's", '"It\'s" is a contraction of "it is," not a possessive.'),
            ("they're", '"They\'re" is a contraction of "they are," not a possessive.'),
        ],
        "why": 'The possessive pronoun refers to the singular noun "orchestra," so "its" is '
        "needed.",
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "Two research teams dated the same cave paintings independently. The two "
        "______ findings, published in the same journal issue, differed by more than four "
        "thousand years. Both teams are now reexamining their samples.",
        "correct": "teams'",
        "wrong": [
            ("team's", 'The singular possessive does not fit "two" teams.'),
            ("teams", "A possessive is needed to show that the findings belong to the teams."),
            ("teams's", "A plural noun ending in s forms its possessive with an apostrophe alone."),
        ],
        "why": 'The findings belong to two teams, so the plural possessive "teams\'" is needed.',
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Halley's Comet can be seen from Earth only about once every 76 years, "
        "because the ______ long, stretched-out orbit carries it far beyond the outer planets. Its "
        "next close approach is expected in 2061.",
        "correct": "comet's",
        "wrong": [
            ("comets", "A possessive is needed to show that the orbit belongs to the comet."),
            ("comets'", "This is a plural possessive, but the text refers to one comet."),
            ("comet", "A possessive is needed to show that the orbit belongs to the comet."),
        ],
        "why": 'The orbit belongs to one comet, so the singular possessive "comet\'s" is needed.',
    },
    {
        "topic": "arts",
        "level": 2,
        "passage": "Carved from a single block of green jade, ______ more than it appears to, "
        "and visitors who lift the replica in the museum shop are often surprised.",
        "correct": "the small statue weighs",
        "wrong": [
            (
                "the small statue's weight is",
                'This makes "weight" the thing that was carved from jade, a dangling modifier.',
            ),
            (
                "visitors find that the small statue weighs",
                'This makes "visitors" the thing that was carved from jade, a dangling modifier.',
            ),
            (
                "it is surprising that the small statue weighs",
                'This makes "it" the thing carved from jade, a dangling modifier.',
            ),
        ],
        "why": 'The opening phrase "Carved from a single block of green jade" must be followed '
        "by the thing that was carved: the statue.",
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "The Great Green Wall, a project to plant a broad belt of trees and grasses "
        "along the southern edge of the Sahara, ______ to slow the spread of the desert and "
        "restore farmland.",
        "correct": "aims",
        "wrong": [
            (
                "aiming",
                "A participle cannot serve as the main verb, so the sentence would be a fragment.",
            ),
            (
                "to aim",
                "An infinitive cannot serve as the main verb, so the sentence would be a fragment.",
            ),
            (
                "having aimed",
                "A participle phrase cannot serve as the main verb, so the "
                "sentence would be a fragment.",
            ),
        ],
        "why": 'The subject "The Great Green Wall" needs a finite main verb, and the singular '
        '"aims" supplies it.',
    },
    {
        "topic": "social",
        "level": 0,
        "passage": "To prepare the community garden for planting, the volunteers removed rocks, "
        "pulled weeds, and ______ compost into the raised beds. By evening, the beds were ready "
        "for seedlings.",
        "correct": "mixed",
        "wrong": [
            ("mixing", "This breaks the parallel series of past-tense verbs."),
            ("to mix", "This breaks the parallel series of past-tense verbs."),
            ("had been mixing", "This breaks the parallel series of simple past verbs."),
        ],
        "why": 'The series "removed ..., pulled ..., and ______" needs a third verb in the same '
        'simple past form: "mixed."',
    },
    {
        "topic": "history",
        "level": 2,
        "passage": "Among the oldest surviving maps of the region ______ a hand-drawn chart made "
        "by a sixteenth-century sailor, which marks shoals and safe anchorages along the coast. It "
        "is kept in the town's museum.",
        "correct": "is",
        "wrong": [
            (
                "are",
                'The plural verb does not agree with the singular subject "a hand-drawn chart."',
            ),
            (
                "were",
                "The plural verb does not agree with the singular subject, and the "
                "chart still survives.",
            ),
            (
                "have been",
                'The plural verb does not agree with the singular subject "a hand-drawn chart."',
            ),
        ],
        "why": 'In this inverted sentence the subject is "a hand-drawn chart," which is '
        'singular, so the verb is "is."',
    },
]


def form_structure(ctx: Ctx) -> Item:
    unit = ctx.rotate(FORMS, level_of=lambda u: u["level"])
    return _item(unit["passage"], CONVENTIONS_STEM, unit["correct"], unit["wrong"], unit["why"])


TEMPLATES: dict[str, list[Template]] = {
    "rhetorical_synthesis": [Template(rhetorical_synthesis, spr=False)],
    "transitions": [Template(transitions, spr=False)],
    "boundaries": [Template(boundaries, spr=False)],
    "form_structure_sense": [Template(form_structure, spr=False)],
}
