"""Reading and Writing templates for Information and Ideas and for Craft and Structure.

Every passage here was written for the simulator; the people and places in them are
invented unless the text says otherwise.
"""

from __future__ import annotations

from typing import Any

from claude_simulator.templates.base import Ctx, Item, Retry, Template

Q = tuple[str, list[tuple[str, str]], str]  # correct choice, wrong choices with why, explanation


def _item(passage: str, stem: str, q: Q, passage_b: str = "", figure: str = "") -> Item:
    correct, wrong, explanation = q
    return Item(
        stem, correct, list(wrong), explanation, None, passage, passage_b, figure, section="rw"
    )


# --- passages shared by Central Ideas and Details and by Text Structure and Purpose --------


PASSAGES: list[dict[str, Any]] = [
    {
        "topic": "science",
        "level": 0,
        "passage": "Along tropical coastlines, red mangrove trees do something unusual for "
        "plants: their seeds sprout while still attached to the parent tree. Each seedling "
        "grows into a long, pencil-shaped spear before it drops. Ecologist Tamar Odeh observed "
        "that seedlings falling at low tide often lodge upright in the soft mud and begin "
        "rooting within days, while those falling at high tide float away, sometimes "
        "traveling for months before settling on a distant shore. In this way, a single tree "
        "can both thicken its own stand and start new ones far away.",
        "main": (
            "Because mangrove seedlings sprout before they fall, they can take root nearby or "
            "drift to distant shores.",
            [
                (
                    "Mangrove seedlings that fall at high tide usually die before they can take "
                    "root anywhere.",
                    "The text says these seedlings may travel for months "
                    "before settling on a distant shore, not that they usually die.",
                ),
                (
                    "Red mangroves grow more slowly than most other trees found along tropical "
                    "coastlines.",
                    "The text never compares the growth rate of mangroves with "
                    "that of other trees.",
                ),
                (
                    "Odeh has found that mangrove seeds sprout only after they have floated in "
                    "seawater.",
                    "This contradicts the text, which says the seeds sprout while "
                    "still attached to the parent tree.",
                ),
            ],
            "The text explains that mangrove seeds sprout on the tree, then shows two outcomes "
            "observed by Odeh (rooting nearby at low tide, drifting far at high tide), and ends "
            "by saying a tree can thus thicken its own stand and start new ones far away.",
        ),
        "detail": (
            "According to the text, what happens to some mangrove seedlings that fall at high "
            "tide?",
            (
                "They float away and may travel for months before settling on a distant shore.",
                [
                    (
                        "They lodge upright in the mud and begin rooting within days.",
                        "This is what the text says happens to seedlings that fall at low tide.",
                    ),
                    (
                        "They return to the parent tree's stand when the tide goes out.",
                        "The text says they float away; it never says they return.",
                    ),
                    (
                        "They sink to the sea floor and sprout in deeper water.",
                        "The text does not mention seedlings sinking or sprouting in deep water.",
                    ),
                ],
                'The text states that seedlings falling at high tide "float away, sometimes '
                'traveling for months before settling on a distant shore."',
            ),
        ),
        "purpose": (
            "To explain how a trait of mangrove seeds helps the trees spread near and far",
            [
                (
                    "To argue that mangroves should be planted to protect tropical coastlines from "
                    "storms",
                    "The text makes no argument about planting mangroves or about storms.",
                ),
                (
                    "To compare the seeds of red mangroves with the seeds of other coastal trees",
                    "No other kinds of trees are discussed.",
                ),
                (
                    "To describe the methods Odeh used to measure the tides along tropical coasts",
                    "The text reports what Odeh observed about seedlings, not how she measured "
                    "tides.",
                ),
            ],
            "The text describes a trait (seeds sprout on the tree), reports what happens to "
            "the seedlings under two conditions, and concludes that the trait lets a tree "
            "spread both locally and to distant shores.",
        ),
        "structure": (
            "It describes a trait, reports two outcomes of it, and states what they achieve "
            "together.",
            [
                (
                    "It presents a common belief about mangroves and then offers evidence that "
                    "the belief is false.",
                    "The text does not present or reject a common belief.",
                ),
                (
                    "It describes a problem facing mangrove forests and then proposes a way to "
                    "solve that problem.",
                    "No problem or solution is discussed.",
                ),
                (
                    "It compares two researchers' explanations of mangrove growth and then "
                    "favors one of them.",
                    "Only one researcher, Odeh, is mentioned.",
                ),
            ],
            "The text first describes the trait (seeds sprout on the tree), then reports "
            "Odeh's observations of two outcomes (low tide and high tide), and ends with what "
            "those outcomes accomplish together.",
        ),
    },
    {
        "topic": "history",
        "level": 1,
        "passage": "In the early 1900s, many farm families in Calloway County lived a full "
        "day's ride from the county library and rarely borrowed its books. In 1907 the "
        "librarian, Harriet Voss, loaded a horse-drawn wagon with several hundred volumes and "
        "began driving it along country roads, stopping at farmhouses and crossroads stores. "
        "Within two years, the number of books the library lent each year had more than "
        "tripled, and most of the new borrowers lived outside town. Voss's wagon became a "
        "model for the motorized bookmobiles that later served rural areas across the country.",
        "main": (
            "A librarian's traveling wagon greatly widened rural access to books and "
            "influenced later library services.",
            [
                (
                    "Farm families in Calloway County preferred buying books to borrowing them "
                    "from the library.",
                    "The text says families rarely borrowed because of the "
                    "distance, not because they preferred buying books.",
                ),
                (
                    "Voss's wagon was replaced by a bookmobile within two years because it could "
                    "not carry enough books.",
                    "The text says the wagon later served as a model "
                    "for bookmobiles, not that it was quickly replaced.",
                ),
                (
                    "Most of the library's borrowers in the early 1900s lived in town rather "
                    "than on farms.",
                    "This describes only the situation before the wagon; the "
                    "text focuses on how the wagon changed it.",
                ),
            ],
            "The text presents a problem (farm families lived too far away to borrow books), "
            "Voss's response (a book wagon), its effect (lending more than tripled, mostly to "
            "rural borrowers), and its influence on later bookmobiles.",
        ),
        "detail": (
            "According to the text, what happened within two years after Voss began driving "
            "the wagon?",
            (
                "The library's yearly lending more than tripled, mostly to borrowers outside town.",
                [
                    (
                        "The county built a second library closer to the farms.",
                        "The text never mentions a second library.",
                    ),
                    (
                        "Motorized bookmobiles began serving rural areas across the country.",
                        "The text says bookmobiles came later; it does not say they appeared "
                        "within two years.",
                    ),
                    (
                        "Voss stopped visiting crossroads stores and served only farmhouses.",
                        "The text says she stopped at both; it does not describe any change.",
                    ),
                ],
                'The text states that "within two years, the number of books the library lent '
                "each year had more than tripled, and most of the new borrowers lived outside "
                'town."',
            ),
        ),
        "purpose": (
            "To describe how one librarian addressed a problem of access and the lasting "
            "effects of her solution",
            [
                (
                    "To argue that rural libraries of the early 1900s had too few books for their "
                    "readers",
                    "The problem described is distance, not a shortage of books.",
                ),
                (
                    "To explain why motorized bookmobiles were more efficient than horse-drawn "
                    "wagons",
                    "The text does not compare the efficiency of the two.",
                ),
                (
                    "To compare library use in Calloway County with library use in other counties",
                    "No other county is discussed.",
                ),
            ],
            "The text identifies a problem (distance kept rural families from borrowing), "
            "describes Voss's wagon, and reports its results and its influence on later "
            "bookmobiles.",
        ),
        "structure": (
            "It identifies a problem, describes one person's response to it, and then reports "
            "the response's results and influence.",
            [
                (
                    "It describes a tradition, explains why the tradition ended, and then "
                    "considers whether it should be revived.",
                    "Nothing in the text says the practice ended or should be revived.",
                ),
                (
                    "It presents two competing accounts of an event and then explains why one is "
                    "more accurate.",
                    "Only one account is given.",
                ),
                (
                    "It summarizes a librarian's career and then evaluates her most important "
                    "writings.",
                    "The text focuses on the wagon, not on Voss's career or writings.",
                ),
            ],
            "The first sentence states the problem, the second describes Voss's wagon, and "
            "the last two report its results and its influence.",
        ),
    },
    {
        "topic": "arts",
        "level": 1,
        "passage": "Composer Lucía Marrero spent a year recording sounds in her hometown of "
        "Valparaíso: the creak of funicular cables, the calls of street vendors, foghorns in "
        "the harbor. Rather than use these recordings as background texture, as many composers "
        "who work with found sound do, Marrero transcribed their rhythms and pitches and "
        "assigned them to orchestral instruments. In her piece Cerros, the vendors' calls "
        "become a melody for the oboes, and the funicular's creak returns as a rhythm in the "
        "low strings.",
        "main": (
            "Marrero turned recorded city sounds into melodies and rhythms played by an orchestra.",
            [
                (
                    "Marrero believes that orchestral music should not include sounds from "
                    "everyday life.",
                    "This contradicts the text: her music is built from everyday sounds.",
                ),
                (
                    "Marrero's recordings of Valparaíso are played as background during "
                    "performances of Cerros.",
                    "The text says she did not use the recordings as background texture.",
                ),
                (
                    "Marrero learned to play several orchestral instruments while living in "
                    "Valparaíso.",
                    "The text says nothing about her learning instruments.",
                ),
            ],
            "The text describes the sounds Marrero recorded, explains that she transcribed "
            "them for orchestral instruments instead of playing the recordings, and gives "
            "examples from Cerros.",
        ),
        "detail": (
            "According to the text, how does Marrero's approach differ from that of many "
            "composers who work with found sound?",
            (
                "She has orchestral instruments play music transcribed from her recordings.",
                [
                    (
                        "She records sounds in many cities instead of in a single place.",
                        "The text says she recorded sounds in her hometown only.",
                    ),
                    (
                        "She uses only the sounds of musical instruments in her recordings.",
                        "Her recordings are of cables, vendors, and foghorns, not instruments.",
                    ),
                    (
                        "She plays her recordings much louder than the orchestra.",
                        "The text says nothing about the volume of recordings in her music.",
                    ),
                ],
                'The text contrasts using recordings "as background texture" with '
                "Marrero's method: she \"transcribed their rhythms and pitches and assigned "
                'them to orchestral instruments."',
            ),
        ),
        "purpose": (
            "To describe how a composer transformed the sounds of a city into orchestral music",
            [
                (
                    "To argue that found sound has no place in music written for an orchestra",
                    "The text describes Marrero's use of found sound without criticizing it.",
                ),
                (
                    "To explain how funicular railways were built in Valparaíso",
                    "The funicular is mentioned only as a source of sound.",
                ),
                (
                    "To compare the reactions of different audiences to the piece Cerros",
                    "The text does not discuss audience reactions.",
                ),
            ],
            "The text describes what Marrero recorded, how she turned the recordings into "
            "parts for instruments, and how this appears in Cerros.",
        ),
        "structure": (
            "It describes her source sounds, contrasts her method with a common one, and gives "
            "examples.",
            [
                (
                    "It presents a criticism of a composer's work and then responds to that "
                    "criticism.",
                    "No criticism of Marrero is presented.",
                ),
                (
                    "It traces a composer's career from her earliest work to her most recent "
                    "piece.",
                    "Only one project and one piece are discussed.",
                ),
                (
                    "It explains a scientific method for recording sound and then lists its "
                    "limitations.",
                    "The text concerns musical composition, not a scientific method.",
                ),
            ],
            "The first sentence lists the recorded sounds, the second contrasts Marrero's "
            "method with the usual use of found sound, and the third gives examples from "
            "Cerros.",
        ),
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "Many birds that store seeds for the winter, such as certain jays, were "
        "long assumed to find their caches mainly by smell or by searching likely spots. "
        "Ornithologist Ravi Menon tested this assumption by letting captive jays hide seeds in "
        "trays of sand and then, while the birds were out of the room, moving some trays to "
        "new positions. Birds that returned searched first where the trays had been, not "
        "where the seeds now were, and they recovered far fewer seeds from moved trays than "
        "from unmoved ones. Menon concluded that the jays rely chiefly on remembering "
        "locations.",
        "main": (
            "An experiment suggests that jays find their stored seeds mainly by remembering "
            "where they hid them.",
            [
                (
                    "Jays locate their hidden seeds mainly by smell, as researchers had long "
                    "assumed.",
                    "Menon's results challenge this assumption rather than confirm it.",
                ),
                (
                    "Captive jays hide fewer seeds than wild jays because they have less space to "
                    "search.",
                    "The text never compares captive and wild jays.",
                ),
                (
                    "Jays prefer to hide their seeds in sand rather than in soil or tree bark.",
                    "Sand trays were simply the setup of the experiment; no preference is tested.",
                ),
            ],
            "The text states an old assumption (jays find caches by smell or searching), "
            "describes Menon's test (moving the trays), reports that birds searched where the "
            "trays had been, and gives Menon's conclusion that jays rely on memory.",
        ),
        "detail": (
            "According to the text, what did the jays do when they returned to the room?",
            (
                "They searched first in the places where the trays had originally been.",
                [
                    (
                        "They went directly to the trays' new positions and recovered most of the "
                        "seeds.",
                        "The text says they searched the old positions and recovered "
                        "fewer seeds from moved trays.",
                    ),
                    (
                        "They hid new seeds in the trays that had not been moved.",
                        "The text does not say the birds hid more seeds on returning.",
                    ),
                    (
                        "They ignored the trays and searched the rest of the room.",
                        "The text says they searched where the trays had been.",
                    ),
                ],
                'The text states that "birds that returned searched first where the trays '
                'had been, not where the seeds now were."',
            ),
        ),
        "purpose": (
            "To describe a test of an assumption about how jays find stored seeds",
            [
                (
                    "To explain why jays store seeds for the winter instead of migrating",
                    "The text does not explain why jays store seeds.",
                ),
                (
                    "To argue that captive birds behave differently from birds in the wild",
                    "No comparison between captive and wild birds is made.",
                ),
                (
                    "To describe the different kinds of seeds that jays prefer to store",
                    "The text never discusses kinds of seeds.",
                ),
            ],
            "The text presents an assumption, describes Menon's test of it, and reports a "
            "result and conclusion that depart from the assumption.",
        ),
        "structure": (
            "It presents a long-held assumption, describes a test of it, and reports a "
            "conclusion that departs from it.",
            [
                (
                    "It describes a behavior, lists several possible explanations, and leaves "
                    "the question unresolved.",
                    "The text ends with a clear conclusion.",
                ),
                (
                    "It reports a surprising finding and then explains why the finding was later "
                    "rejected.",
                    "Nothing in the text says Menon's finding was rejected.",
                ),
                (
                    "It compares two species of jays and then explains how their caching habits "
                    "differ.",
                    "Only one kind of jay is studied.",
                ),
            ],
            "The first sentence gives the assumption, the next two describe Menon's "
            "experiment and its results, and the last gives a conclusion that contradicts "
            "the assumption.",
        ),
    },
    {
        "topic": "social",
        "level": 0,
        "passage": "In several cities, neighborhood groups have placed refrigerators on "
        "sidewalks where anyone can leave or take food. Grocers drop off produce that is still "
        "fresh but too bruised to sell, restaurants add leftover meals, and residents "
        "contribute what they can spare. Organizers say the fridges serve two purposes at once: "
        "they keep edible food out of landfills, and they give people who are struggling a "
        "way to get meals without filling out forms or waiting in line.",
        "main": (
            "Sidewalk community fridges help reduce food waste while giving people easy "
            "access to free food.",
            [
                (
                    "Sidewalk fridges are mostly stocked by restaurants that have too many "
                    "customers.",
                    "Restaurants are only one of three sources named, and nothing "
                    "is said about their customers.",
                ),
                (
                    "People who take food from the fridges must first fill out a form.",
                    "This contradicts the text, which says no forms are needed.",
                ),
                (
                    "Grocers have stopped selling bruised produce because of the fridges.",
                    "The text says grocers donate bruised produce they cannot sell anyway.",
                ),
            ],
            "The text describes the fridges, who fills them, and the two purposes organizers "
            "name: keeping food out of landfills and helping people get meals easily.",
        ),
        "detail": (
            "According to the text, what do grocers contribute to the sidewalk refrigerators?",
            (
                "Produce that is still fresh but too bruised to sell",
                [
                    (
                        "Leftover meals from the day's cooking",
                        "The text says restaurants, not grocers, add leftover meals.",
                    ),
                    (
                        "Forms that people can fill out to request food",
                        "The text says no forms are needed.",
                    ),
                    (
                        "New refrigerators to replace broken ones",
                        "The text does not mention grocers supplying refrigerators.",
                    ),
                ],
                'The text states that "grocers drop off produce that is still fresh but too '
                'bruised to sell."',
            ),
        ),
        "purpose": (
            "To explain how community fridges work and what they accomplish",
            [
                (
                    "To argue that cities should ban refrigerators from public sidewalks",
                    "The text presents the fridges favorably and makes no case for a ban.",
                ),
                (
                    "To compare the amount of food wasted by grocers and by restaurants",
                    "No amounts of food waste are compared.",
                ),
                (
                    "To describe the forms people must complete to receive food aid",
                    "The text says the fridges require no forms.",
                ),
            ],
            "The text introduces the fridges, explains who contributes to them, and states "
            "the two goals they serve.",
        ),
        "structure": (
            "It introduces an arrangement, describes who contributes to it, and states the "
            "two goals it serves.",
            [
                (
                    "It describes a problem in several cities and then explains why no solution "
                    "has worked.",
                    "The text presents the fridges as working, not failing.",
                ),
                (
                    "It presents an organizer's claim and then offers evidence against it.",
                    "No evidence against the organizers' claim is given.",
                ),
                (
                    "It traces the history of food donation from its origins to the present.",
                    "The text describes a current practice, not a history.",
                ),
            ],
            "The first sentence introduces the fridges, the second lists contributors, and "
            "the third gives the two purposes organizers describe.",
        ),
    },
    {
        "topic": "arts",
        "level": 2,
        "passage": "The following text is from a short story. Ines has just moved into her "
        "late grandmother's apartment.\n\nFor the first week Ines left everything where it "
        "was: the reading glasses folded on the windowsill, the half-finished crossword, the "
        "coat on the hook by the door. Friends offered to help her clear the rooms, and she "
        "thanked them and made excuses. It was not that she expected her grandmother to come "
        "back for the glasses. It was that each object still held a small unfinished motion, "
        "and putting it away would be the same as deciding the motion was over.",
        "main": (
            "Ines leaves her grandmother's things untouched because putting them away would "
            "mean accepting a loss.",
            [
                (
                    "Ines cannot decide which of her grandmother's belongings she wants to keep "
                    "for herself.",
                    "The text is about her reluctance to move the objects at "
                    "all, not about choosing among them.",
                ),
                (
                    "Ines believes that her grandmother will soon return to the apartment for her "
                    "things.",
                    "The text says directly that she does not expect her grandmother to return.",
                ),
                (
                    "Ines is too busy to clear the rooms and plans to let her friends do it later.",
                    "She turns down her friends' help; the text gives no sign that she is busy.",
                ),
            ],
            "The text lists objects Ines leaves in place, shows her declining help, and "
            'explains that putting them away would mean "deciding the motion was over": '
            "accepting that her grandmother's life has ended.",
        ),
        "detail": (
            "According to the text, how does Ines respond when friends offer to help her clear "
            "the rooms?",
            (
                "She thanks them but makes excuses.",
                [
                    (
                        "She accepts their help for the first week only.",
                        "The text says she declines by making excuses.",
                    ),
                    (
                        "She asks them to take the coat and the glasses.",
                        "She leaves these objects where they are.",
                    ),
                    (
                        "She tells them her grandmother will return.",
                        "The text says she does not expect her grandmother to return.",
                    ),
                ],
                'The text states that "she thanked them and made excuses."',
            ),
        ),
        "purpose": (
            "To show why a character hesitates to disturb the objects left by someone who has died",
            [
                (
                    "To describe how a character decides to redecorate an apartment she has "
                    "inherited",
                    "Ines leaves everything as it was; she does not redecorate.",
                ),
                (
                    "To contrast a character's memories of her grandmother with her friends' "
                    "memories",
                    "The friends' memories are never described.",
                ),
                (
                    "To explain how a character finishes the crossword her grandmother started",
                    "The crossword is mentioned only as one of the objects she leaves in place.",
                ),
            ],
            "The text presents Ines's behavior (leaving everything in place, declining help) "
            "and then the reason for it.",
        ),
        "structure": (
            "It lists objects a character leaves in place, describes her refusal of help, and "
            "then explains the feeling behind her choice.",
            [
                (
                    "It describes a character's move, reports an argument with her friends, and "
                    "then shows how it is resolved.",
                    "Ines declines help politely; there is no argument.",
                ),
                (
                    "It presents a character's memory of her grandmother and then describes the "
                    "grandmother's apartment.",
                    "The text does not present a memory of the grandmother.",
                ),
                (
                    "It contrasts the apartment's appearance before and after a character clears "
                    "it.",
                    "Ines does not clear the apartment.",
                ),
            ],
            "The text moves from the objects Ines leaves, to her refusal of help, to the "
            "explanation of why she cannot put things away.",
        ),
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Engineers have long wondered why some concrete harbor walls built "
        "centuries ago remain intact while many modern ones crack within decades. Materials "
        "scientist Yara Halloran examined samples from a 900-year-old wall and found small "
        "white lumps of lime scattered through the concrete. When seawater seeped into a "
        "crack, Halloran found, it dissolved some of the lime, which then hardened again "
        "inside the crack and sealed it. Modern concrete, mixed more thoroughly, lacks these "
        "lumps and, Halloran suggests, the ability to repair itself.",
        "main": (
            "Lumps of lime in an old harbor wall may explain its durability by letting cracks "
            "seal themselves.",
            [
                (
                    "Modern concrete cracks because it is exposed to more seawater than older "
                    "concrete was.",
                    "The text attributes the difference to lime lumps, not to "
                    "the amount of seawater.",
                ),
                (
                    "Old harbor walls last longer because they are much thicker than modern walls.",
                    "The thickness of the walls is never mentioned.",
                ),
                (
                    "Halloran recommends replacing modern harbor walls with walls built of stone.",
                    "The text makes no recommendation about building materials.",
                ),
            ],
            "The text poses a puzzle (old walls last, new ones crack), reports that the old "
            "wall contains lime lumps that reseal cracks when seawater dissolves them, and "
            "notes that modern concrete lacks the lumps.",
        ),
        "detail": (
            "According to the text, what happens when seawater seeps into a crack in the old wall?",
            (
                "It dissolves some of the lime, which hardens again and seals the crack.",
                [
                    (
                        "It washes the lime out of the wall, weakening the concrete.",
                        "The text says the lime hardens again and seals the crack.",
                    ),
                    (
                        "It widens the crack until the wall must be repaired.",
                        "The text describes the crack being sealed, not widened.",
                    ),
                    (
                        "It mixes with the concrete more thoroughly than in modern walls.",
                        "The "
                        'text uses "mixed more thoroughly" to describe modern concrete, not '
                        "seawater.",
                    ),
                ],
                'The text states that seawater "dissolved some of the lime, which then '
                'hardened again inside the crack and sealed it."',
            ),
        ),
        "purpose": (
            "To suggest why some old concrete has outlasted modern concrete",
            [
                (
                    "To argue that engineers should stop building harbor walls from concrete",
                    "The text explains a difference; it does not argue against concrete.",
                ),
                (
                    "To describe how lime is produced from limestone for use in building",
                    "Lime production is not discussed.",
                ),
                (
                    "To compare the costs of building old and modern harbor walls",
                    "No costs are mentioned.",
                ),
            ],
            "The text raises a question about old and modern concrete and presents "
            "Halloran's findings as a possible answer.",
        ),
        "structure": (
            "It poses a puzzle, reports a researcher's findings, and uses them to suggest an "
            "explanation.",
            [
                (
                    "It describes a construction method and then lists the steps needed to "
                    "carry it out.",
                    "The text does not give construction steps.",
                ),
                (
                    "It presents an engineer's claim and then reports evidence that disproves it.",
                    "Halloran's findings support an explanation; nothing is disproved.",
                ),
                (
                    "It describes the history of a harbor and then explains why it was abandoned.",
                    "The harbor's history and abandonment are not discussed.",
                ),
            ],
            "The first sentence poses the puzzle, the middle sentences report Halloran's "
            "findings, and the last uses them to explain why modern concrete differs.",
        ),
    },
    {
        "topic": "history",
        "level": 2,
        "passage": "Before the 1880s, most towns in the United States kept their own local "
        "time, setting their clocks so that noon fell when the sun was highest overhead. "
        "Because noon arrived a few minutes later for every few miles traveled west, a "
        "railroad crossing many towns had to publish schedules listing dozens of different "
        "local times. In 1883 the major railroads agreed to run their trains on a small number "
        "of standard time zones, and most towns soon set their clocks to match. Congress did "
        "not make the zones official law until 1918.",
        "main": (
            "Standard time zones began as a railroad solution to the confusion of local times "
            "and only later became law.",
            [
                (
                    "Congress created standard time zones in 1883 to make train schedules simpler.",
                    "The text says the railroads adopted the zones in 1883 and "
                    "Congress acted only in 1918.",
                ),
                (
                    "Towns refused to change their clocks after the railroads adopted standard "
                    "time.",
                    "The text says most towns soon set their clocks to match.",
                ),
                (
                    "Local time was more accurate than standard time for measuring when the sun "
                    "was highest.",
                    "The text does not compare the accuracy of the two systems.",
                ),
            ],
            "The text describes local time, explains the trouble it caused railroads, and "
            "reports that railroads adopted standard zones in 1883, which became law in 1918.",
        ),
        "detail": (
            "According to the text, why did local times cause difficulty for railroads?",
            (
                "A railroad crossing many towns had to list dozens of different local times.",
                [
                    (
                        "Trains could not run at night when towns stopped keeping time.",
                        "The text says nothing about night travel.",
                    ),
                    (
                        "Congress required railroads to use a single national time.",
                        "Congress "
                        "acted only in 1918, after the railroads had already adopted zones.",
                    ),
                    (
                        "Towns in the West refused to let trains stop at noon.",
                        "The text does not mention any such refusal.",
                    ),
                ],
                "The text explains that because noon arrived at different times in different "
                'towns, a railroad "had to publish schedules listing dozens of different '
                'local times."',
            ),
        ),
        "purpose": (
            "To explain how and why standard time zones came to be used in the United States",
            [
                (
                    "To argue that towns should return to keeping their own local time",
                    "The text makes no such argument.",
                ),
                (
                    "To describe how clocks were built and repaired in the 1800s",
                    "Clockmaking is not discussed.",
                ),
                (
                    "To compare the speed of trains before and after 1883",
                    "The text does not discuss train speeds.",
                ),
            ],
            "The text describes the older system, the problem it caused for railroads, the "
            "railroads' solution, and when that solution became law.",
        ),
        "structure": (
            "It describes an old practice, a problem it caused for railroads, and how their fix "
            "became law.",
            [
                (
                    "It presents two proposals for measuring time and then explains why one of "
                    "them "
                    "was rejected.",
                    "Only one change is described, and nothing is rejected.",
                ),
                (
                    "It describes a law and then explains why the law was ignored for decades.",
                    "The text says towns soon adopted the zones; nothing was ignored.",
                ),
                (
                    "It tells the life story of an inventor and the device he created.",
                    "No inventor or device is discussed.",
                ),
            ],
            "The text moves from local time, to the problem it caused for railroads, to the "
            "railroads' 1883 solution and its adoption into law in 1918.",
        ),
    },
]


def _passage_level(unit: tuple[dict[str, Any], str]) -> int:
    return unit[0]["level"]


SECOND_FORMS = ("detail", "structure", "weaken", "decrease", "relate")


def _second_form(unit: tuple[dict[str, Any], str]) -> int:
    """Return 1 for the second question asked of a passage, so each passage is used once first."""
    return int(unit[1] in SECOND_FORMS)


def central_ideas(ctx: Ctx) -> Item:
    units = [(p, "main") for p in PASSAGES] + [(p, "detail") for p in PASSAGES]
    passage, form = ctx.rotate(units, level_of=_passage_level, round_of=_second_form)
    if form == "main":
        return _item(
            passage["passage"],
            "Which choice best states the main idea of the text?",
            passage["main"],
        )
    stem, q = passage["detail"]
    return _item(passage["passage"], stem, q)


def text_structure(ctx: Ctx) -> Item:
    units = [(p, "purpose") for p in PASSAGES] + [(p, "structure") for p in PASSAGES]
    passage, form = ctx.rotate(units, level_of=_passage_level, round_of=_second_form)
    stem = (
        "Which choice best states the main purpose of the text?"
        if form == "purpose"
        else "Which choice best describes the overall structure of the text?"
    )
    return _item(passage["passage"], stem, passage[form])


# --- Command of Evidence (Textual) ---------------------------------------------------------


HYPOTHESES: list[dict[str, Any]] = [
    {
        "topic": "science",
        "level": 0,
        "passage": "Young reef fish spend their first weeks drifting in open water before "
        "settling on a reef. Marine biologist Ikaika Kahale hypothesizes that the young fish "
        "use the sounds of a healthy reef, such as the crackle of snapping shrimp and the "
        "grunts of adult fish, to find a place to settle.",
        "who": "Kahale's hypothesis",
        "support": "Speakers playing healthy-reef sounds over bare sand drew more young fish "
        "than silent speakers did.",
        "weaken": "Young fish settled at similar rates on quiet, damaged reefs and on noisy, "
        "healthy reefs nearby.",
        "neutral": [
            (
                "Adult reef fish make more sounds at dusk than they do at midday, according to "
                "recordings.",
                "This is "
                "about when adults make sounds, not about how young fish choose where to "
                "settle.",
            ),
            (
                "Healthy reefs are home to more species of fish than damaged reefs in the same "
                "region are.",
                "This "
                "concerns the variety of species on reefs, not whether sound guides young fish.",
            ),
        ],
        "support_why": "The speakers changed only the sound, and more fish settled where "
        "reef sounds were played, which is what the hypothesis predicts.",
        "weaken_why": "If sound guided the fish, the noisier healthy reefs should have "
        "attracted more of them; similar rates suggest sound is not what they use.",
    },
    {
        "topic": "social",
        "level": 1,
        "passage": "When a city made one of its bus lines free to ride, shops along the route "
        "reported higher sales. Economist Adaora Nwosu argues that the free service caused the "
        "increase by bringing more shoppers to the streets the bus serves.",
        "who": "Nwosu's argument",
        "support": "After fares were dropped, foot traffic rose sharply along the route but not "
        "on similar streets elsewhere.",
        "weaken": "Over the same period, sales rose just as much at shops in areas the free bus "
        "line did not serve.",
        "neutral": [
            (
                "The buses used on the free line were newer and quieter than most of the city's "
                "other buses.",
                "The age and noise of the buses do not bear on whether the service "
                "brought shoppers.",
            ),
            (
                "Most riders surveyed said they would keep riding if a small fare were brought "
                "back.",
                "Riders' future plans do not show what caused the past rise in sales.",
            ),
        ],
        "support_why": "More people on the route's streets, but not on similar streets, is "
        "the mechanism Nwosu proposes: the bus bringing shoppers to the area.",
        "weaken_why": "If sales rose just as much where the bus did not go, something other "
        "than the free bus likely explains the increase.",
    },
    {
        "topic": "history",
        "level": 1,
        "passage": "In the late 1800s, pocket watches became cheap enough for many factory "
        "workers to own. Historian Marcus Lindqvist argues that owning watches made workers "
        "more punctual, since they no longer had to rely on a distant church clock or a "
        "factory whistle to know the time.",
        "who": "Lindqvist's argument",
        "support": "Late arrivals fell sharply after most workers came to own watches, while "
        "other conditions stayed the same.",
        "weaken": "Factories where few workers owned watches saw the same drop in late arrivals "
        "over the same years.",
        "neutral": [
            (
                "Pocket watches were often given to factory workers as gifts to mark many years "
                "of service.",
                "How workers got watches does not show whether owning them changed punctuality.",
            ),
            (
                "Watch prices fell because new machines could cut the gears of watches more "
                "precisely.",
                "This explains why watches became cheap, not what owning one did to punctuality.",
            ),
        ],
        "support_why": "A drop in lateness that followed watch ownership, with other "
        "conditions unchanged, points to the watches as the cause.",
        "weaken_why": "If lateness fell just as much where workers lacked watches, the drop "
        "probably had some other cause.",
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "Plants cannot flee from animals that eat them, but many can defend "
        "themselves chemically. Plant biologist Noemi Farkas hypothesizes that tomato plants "
        "attacked by caterpillars release airborne chemicals that prompt nearby tomato plants "
        "to strengthen their own defenses before they are attacked.",
        "who": "Farkas's hypothesis",
        "support": "Undamaged tomato plants that shared air with caterpillar-damaged plants "
        "made more defensive compounds than plants that shared air with healthy plants.",
        "weaken": "Undamaged plants that shared air with caterpillar-damaged plants made no "
        "more defensive compounds than plants that shared air with healthy plants.",
        "neutral": [
            (
                "Caterpillars fed more heavily on young tomato leaves than on older leaves.",
                "Which leaves caterpillars prefer says nothing about signals between plants.",
            ),
            (
                "Tomato plants grown in richer soil produced larger fruit.",
                "Fruit size and soil are unrelated to airborne signals and defenses.",
            ),
        ],
        "support_why": "Plants exposed only to the air around damaged plants increased their "
        "defenses, which is what airborne signals would cause.",
        "weaken_why": "If shared air made no difference, the damaged plants' air did not "
        "prompt the defenses the hypothesis predicts.",
    },
    {
        "topic": "science",
        "level": 0,
        "passage": "Psychologist Keanu Alvarez proposes that people remember a list of chores "
        "better when they picture themselves doing each chore than when they simply repeat "
        "the list to themselves.",
        "who": "Alvarez's proposal",
        "support": "A day later, participants who had imagined performing each chore recalled "
        "more of the chores than participants who had repeated the list aloud.",
        "weaken": "A day later, participants who had repeated the list aloud recalled as many "
        "chores as participants who had imagined performing each one.",
        "neutral": [
            (
                "Participants found chore lists less enjoyable to memorize than lists of "
                "vacation plans.",
                "Enjoyment is not the same as how well the list is remembered.",
            ),
            (
                "Most participants said they usually keep their chore lists on paper.",
                "How people store their lists does not compare the two memorizing methods.",
            ),
        ],
        "support_why": "Better recall by the group that pictured the chores is exactly the "
        "advantage Alvarez proposes.",
        "weaken_why": "Equal recall means picturing the chores gave no advantage.",
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "A narrow lake lies in a steep valley in the Andes. Geologist Sun-hee Park "
        "hypothesizes that the lake formed when a landslide from the valley's cliffs blocked "
        "the river that once flowed through the valley, backing up its water.",
        "who": "Park's hypothesis",
        "support": "The lake's oldest sediment layers rest directly on broken rock that matches "
        "the cliffs above the valley.",
        "weaken": "The lake's oldest sediments are thousands of years older than any landslide "
        "debris in the valley.",
        "neutral": [
            (
                "The lake is home to several species of fish that are found in no other lake in "
                "the world.",
                "The lake's fish do not show how the lake formed.",
            ),
            (
                "Rainfall in the region has increased slightly over the past century, according "
                "to local records.",
                "Recent rainfall says nothing about the lake's origin.",
            ),
        ],
        "support_why": "Lake sediments lying on cliff rubble indicate that the lake began "
        "forming after, and on top of, a landslide.",
        "weaken_why": "If the lake existed long before any landslide, a landslide cannot "
        "have created it.",
    },
]

QUOTATIONS: list[dict[str, Any]] = [
    {
        "topic": "arts",
        "level": 1,
        "passage": 'In the poem "Tidewater" by Amelia Farrow, the speaker suggests that the '
        "sea erases people's efforts but also gives something back in return. Each stanza moves "
        "from something lost to something found.",
        "stem": 'Which quotation from "Tidewater" most effectively illustrates the claim?',
        "correct": '"Each tide unwrites the names we press in sand, / then leaves a scatter '
        'of bright shells instead."',
        "wrong": [
            (
                '"The gulls wheel loud above the fishing boats / and settle on the pilings, row '
                'by row."',
                "These lines describe birds; they show neither erasing nor giving.",
            ),
            (
                '"We built the seawall high against the storms; / the old men say it will '
                'outlast us all."',
                "These lines show a human effort expected to last, not one the sea erases.",
            ),
            (
                '"At dusk the water turns the color of slate, / and every window on the shore '
                'goes dark."',
                "These lines set a mood but show nothing erased or given.",
            ),
        ],
        "why": 'The tide "unwrites" the names people write in the sand (erasing their '
        'efforts) and "leaves a scatter of bright shells" (giving something back).',
    },
    {
        "topic": "arts",
        "level": 2,
        "passage": "In Theo Quarles's novel The Glass Orchard, the narrator describes his "
        "sister Mira as someone who hides her kindness behind a sharp tongue. Mira is the "
        "narrator's older sister.",
        "stem": "Which quotation from The Glass Orchard most effectively illustrates the claim?",
        "correct": '"Mira told our neighbor his fence was an eyesore, then spent her Saturday '
        'quietly repainting it for him."',
        "wrong": [
            (
                "\"Mira laughed at everyone's jokes, even the ones she had heard many times "
                'before."',
                "This shows good humor openly, with no sharp tongue.",
            ),
            (
                '"Mira rarely spoke at dinner, preferring to listen while the rest of us argued."',
                "This shows quietness, not sharpness or hidden kindness.",
            ),
            (
                "\"Mira's comments on my drawings were harsh, and she never offered to help me "
                'improve them."',
                "This shows sharpness with no kindness behind it.",
            ),
        ],
        "why": 'Mira\'s blunt insult ("an eyesore") is followed by a quiet act of kindness '
        "(repainting the fence), showing kindness hidden behind sharp words.",
    },
    {
        "topic": "science",
        "level": 0,
        "passage": "In his field journals, the naturalist Elias Brandvold often shows that he "
        "was more interested in watching living animals than in collecting them as "
        "specimens. He kept the journals for more than forty years.",
        "stem": "Which quotation from Brandvold's journals most effectively illustrates the claim?",
        "correct": '"I had my net ready, yet I spent the hour only watching the beetle roll '
        'its stone."',
        "wrong": [
            (
                '"By noon I had filled three jars with specimens, each labeled with the date and '
                'place."',
                "This shows him collecting, the opposite of the claim.",
            ),
            (
                '"The weather turned cold, and I returned to camp earlier than I had planned."',
                "This describes the weather, not his interest in animals.",
            ),
            (
                '"My colleagues at home will be eager to see the new specimens I am sending them."',
                "This concerns sending specimens, not watching living animals.",
            ),
        ],
        "why": "Brandvold has the net ready to collect the beetle but chooses to spend the "
        "hour watching it instead.",
    },
]


def evidence_textual(ctx: Ctx) -> Item:
    units: list[tuple[dict[str, Any], str]] = [(h, "support") for h in HYPOTHESES]
    units += [(q, "quote") for q in QUOTATIONS]
    units += [(h, "weaken") for h in HYPOTHESES]
    unit, form = ctx.rotate(units, level_of=_passage_level, round_of=_second_form)
    if form == "quote":
        return _item(unit["passage"], unit["stem"], (unit["correct"], unit["wrong"], unit["why"]))
    other = "weaken" if form == "support" else "support"
    wrong = [(unit[other], f"This would {other} {unit['who']}, not {form} it.")]
    wrong += unit["neutral"]
    stem = f"Which finding, if true, would most directly {form} {unit['who']}?"
    return _item(unit["passage"], stem, (unit[form], wrong, unit[f"{form}_why"]))


# --- Command of Evidence (Quantitative) -------------------------------------------------------


DATA_CONTEXTS: list[dict[str, Any]] = [
    {
        "topic": "science",
        "who": "Ecologist Ana Lucero",
        "things": "monarch butterflies",
        "sites": "meadows",
        "site": "meadow",
        "names": ["Alder", "Briar", "Clover", "Dunlin"],
        "suffix": " Meadow",
        "years": (2016, 2023),
        "range": (30, 140),
    },
    {
        "topic": "science",
        "who": "Biologist Femi Adeyemi",
        "things": "nesting sea turtles",
        "sites": "beaches",
        "site": "beach",
        "names": ["Coral", "Heron", "Palm", "Sandpiper"],
        "suffix": " Beach",
        "years": (2015, 2022),
        "range": (20, 90),
    },
    {
        "topic": "social",
        "who": "Librarian Ruth Okamoto",
        "things": "new library cards issued",
        "sites": "branches",
        "site": "branch",
        "names": ["Eastside", "Harbor", "Main Street", "Westfield"],
        "suffix": " Branch",
        "years": (2019, 2023),
        "range": (150, 600),
    },
    {
        "topic": "science",
        "who": "Forester Jonas Whitfield",
        "things": "native oak seedlings",
        "sites": "forest plots",
        "site": "plot",
        "names": ["Plot A", "Plot B", "Plot C", "Plot D"],
        "suffix": "",
        "years": (2018, 2024),
        "range": (40, 160),
    },
    {
        "topic": "social",
        "who": "Organizer Divya Raman",
        "things": "volunteers",
        "sites": "community gardens",
        "site": "garden",
        "names": ["Elm Street", "Riverside", "Hilltop", "Maple Court"],
        "suffix": " Garden",
        "years": (2020, 2024),
        "range": (20, 80),
    },
]


def _draw_table(ctx: Ctx, c: dict[str, Any], claim: str) -> tuple[list[str], list[int], list[int]]:
    """Draw four rows that make exactly one site fit the claim, with a different leader."""
    rng = ctx.rng
    lo, hi = c["range"]
    names = [n + c["suffix"] if c["suffix"] else n for n in c["names"]]
    first = [rng.randint(lo, hi) for _ in names]
    if claim == "increase":
        changes = [rng.randint(2, (hi - lo) // 3) for _ in names]
    else:
        changes = [rng.randint(3, (hi - lo) // 3) for _ in names]
        changes[rng.randrange(4)] *= -1
    second = [f + d for f, d in zip(first, changes, strict=True)]
    return names, first, second


def evidence_quantitative(ctx: Ctx) -> Item:
    units = [(c, claim) for claim in ("increase", "decrease") for c in DATA_CONTEXTS]
    c, claim = ctx.rotate(
        units, level_of=lambda u: 1 if u[1] == "increase" else 2, round_of=_second_form
    )
    names, first, second = _draw_table(ctx, c, claim)
    y1, y2 = c["years"]
    changes = [b - a for a, b in zip(first, second, strict=True)]
    things, sites, site = c["things"], c["sites"], c["site"]
    if claim == "increase":
        s = max(range(4), key=lambda i: changes[i])
        ranked = sorted(changes, reverse=True)
        lead = max(range(4), key=lambda i: second[i])
        if ranked[0] == ranked[1] or lead == s or second.count(second[lead]) > 1:
            raise Retry
        runner = changes.index(ranked[1])
        others = [i for i in range(4) if i not in (s, runner)]
        bigger = [i for i in range(4) if i != s and first[i] > first[s]]
        if not bigger:
            raise Retry
        v = bigger[0]
        claim_text = (
            f"the number of {things} at {names[s]} grew by more from {y1} to {y2} than at any "
            f"of the other {sites}"
        )
        correct = (
            f"{names[s]} went from {first[s]} to {second[s]}, a rise of {changes[s]}, while no "
            f"other {site} rose by more than {ranked[1]}."
        )
        fake = second[runner] + (changes[s] - changes[runner]) + ctx.rng.randint(2, 6)
        wrong = [
            (
                f"{names[lead]} had more {things} than any other {site} in {y2}, with "
                f"{second[lead]}.",
                f"This is accurate, but having the most in {y2} is not the "
                "same as having the largest increase.",
            ),
            (
                f"{names[runner]} went from {first[runner]} to {fake}, a rise larger than the "
                f"rise at {names[s]}.",
                f"The table shows {second[runner]} for {names[runner]} "
                f"in {y2}, a rise of only {changes[runner]}.",
            ),
            (
                f"{names[v]} had more {things} than {names[s]} in {y1}, with {first[v]}.",
                f"This is accurate, but it compares only the {y1} numbers and says nothing "
                "about growth.",
            ),
        ]
        why = (
            f"The claim is about the size of the increase. {names[s]} rose by {changes[s]}, "
            f"more than the rise at any other {site} (the next largest was {ranked[1]}, at "
            f"{names[runner]})."
        )
        del others
    else:
        s = next(i for i in range(4) if changes[i] < 0)
        lead = max(range(4), key=lambda i: first[i])
        if lead == s or first.count(first[lead]) > 1 or sum(changes) <= 0:
            raise Retry
        t = next(i for i in range(4) if i not in (s, lead))
        claim_text = (
            f"{names[s]} was the only one of the four {sites} where the number of {things} "
            f"fell from {y1} to {y2}"
        )
        correct = (
            f"{names[s]} fell from {first[s]} to {second[s]}; every other {site} rose over the "
            "same years."
        )
        wrong = [
            (
                f"{names[lead]} had more {things} than any other {site} in {y1}, with "
                f"{first[lead]}.",
                f"This is accurate, but the {y1} numbers alone do not show where the number fell.",
            ),
            (
                f"{names[t]} went from {first[t]} to {first[t] - ctx.rng.randint(3, 9)}, a "
                "smaller drop than at " + names[s] + ".",
                f"The table shows {second[t]} for {names[t]} in {y2}, so it did not fall at all.",
            ),
            (
                f"Together, the four {sites} had more {things} in {y2} than in {y1}.",
                "This is "
                f"accurate, but a larger total does not show that {names[s]} was the only "
                f"{site} to decline.",
            ),
        ]
        why = (
            f"{names[s]} is the only row where the {y2} number ({second[s]}) is less than the "
            f"{y1} number ({first[s]}); every other {site} increased."
        )
    rows = "\n".join(f"| {n} | {a} | {b} |" for n, a, b in zip(names, first, second, strict=True))
    figure = (
        f"{things[0].upper() + things[1:]} by {site}, {y1} and {y2}\n\n"
        f"| {site[0].upper() + site[1:]} | {y1} | {y2} |\n|---|---|---|\n{rows}"
    )
    passage = (
        f"{c['who']} recorded the number of {things} at four {sites} in {y1} and again in "
        f"{y2}. After comparing the two years, {c['who'].split()[-1]} concluded that "
        f"{claim_text}."
    )
    stem = (
        "Which choice most effectively uses data from the table to support "
        f"{c['who'].split()[-1]}'s conclusion?"
    )
    return _item(passage, stem, (correct, wrong, why), figure=figure)


# --- Inferences ---------------------------------------------------------------------------------


INFERENCES: list[dict[str, Any]] = [
    {
        "topic": "science",
        "level": 0,
        "passage": "Some species of fig trees can be pollinated by only one species of tiny "
        "wasp, and that wasp can lay its eggs only inside the figs of that tree species. If a "
        "disease sharply reduced the number of one such wasp species in a forest, the fig trees "
        "that depend on it would most likely ______",
        "correct": "produce fewer seeds, because fewer of their flowers would be pollinated.",
        "wrong": [
            (
                "begin to be pollinated by other wasp species instead.",
                "The text says the trees can be pollinated by only one wasp species.",
            ),
            (
                "produce more figs, because fewer wasps would lay eggs in them.",
                "Without the wasps the flowers are not pollinated, so more figs would not follow.",
            ),
            (
                "spread the disease to other kinds of trees in the forest.",
                "Nothing in the text suggests the disease affects trees.",
            ),
        ],
        "why": "The trees depend on a single wasp species for pollination, so fewer wasps means "
        "fewer pollinated flowers and therefore fewer seeds.",
    },
    {
        "topic": "social",
        "level": 1,
        "passage": "In one study, people who were told that a painting was made by a famous "
        "artist rated it much more highly than people who saw the same painting with no "
        "information about who made it. The painting, the lighting, and the room were identical "
        "for both groups. These results suggest that people's judgments of art ______",
        "correct": "can be influenced by what people are told about a work.",
        "wrong": [
            (
                "depend only on the colors and shapes that appear in a work.",
                "The two groups saw "
                "identical paintings but rated them differently, so appearance alone did not "
                "decide.",
            ),
            (
                "usually match the judgments of professional art critics.",
                "The study did not involve critics.",
            ),
            (
                "improve when people look at the same painting many times.",
                "Repeated viewing was not part of the study.",
            ),
        ],
        "why": "Everything the viewers could see was the same; only the information about the "
        "artist differed, yet the ratings changed.",
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Arctic ground squirrels hibernate for up to eight months, yet they lose far "
        "less muscle than would be expected from such a long period without movement. "
        "Researcher Ola Nordby found that during hibernation the squirrels break down small "
        "amounts of other tissues and reuse the nitrogen to rebuild muscle. If this process were "
        "blocked, the squirrels would most likely ______",
        "correct": "lose more muscle over the winter than they normally do.",
        "wrong": [
            (
                "wake from hibernation several weeks earlier than usual.",
                "The text links the process to muscle, not to the timing of waking.",
            ),
            (
                "gain muscle during the winter instead of losing it.",
                "Blocking a process that rebuilds muscle would not cause a gain.",
            ),
            (
                "keep a higher body temperature throughout hibernation.",
                "Body temperature is not connected to the process in the text.",
            ),
        ],
        "why": "The recycling process is what limits muscle loss, so without it the squirrels "
        "would lose more muscle.",
    },
    {
        "topic": "social",
        "level": 0,
        "passage": "A bakery owner noticed that on rainy days, sales of bread stayed about the "
        "same, but sales of pastries fell by nearly half. Because people on rainy days tend to "
        "make only the trips they consider necessary, the owner concluded that ______",
        "correct": "many customers regard bread, but not pastries, as a necessary purchase.",
        "wrong": [
            (
                "rain damages pastries more quickly than it damages bread.",
                "The text is about customers' trips, not damage to the goods.",
            ),
            (
                "most customers prefer pastries to bread on sunny days.",
                "The text compares sales "
                "on rainy days; it says nothing about preferences on sunny days.",
            ),
            (
                "the bakery should stop selling pastries altogether.",
                "The owner draws a conclusion about customers, not a business decision.",
            ),
        ],
        "why": "If rainy-day trips are the necessary ones and bread sales hold steady while "
        "pastry sales fall, customers must treat bread as necessary and pastries as optional.",
    },
    {
        "topic": "history",
        "level": 1,
        "passage": "Archaeologists excavating an ancient farming settlement found that its "
        "oldest houses had no storage pits, but houses built a few centuries later each had "
        "several large pits lined with clay and sealed with lids. Because such pits keep "
        "harvested grain dry and safe from pests for long periods, the change suggests that "
        "______",
        "correct": "residents had begun keeping harvested food to use over extended periods.",
        "wrong": [
            (
                "the later houses were built by people from a distant region.",
                "The text gives no evidence about where the builders came from.",
            ),
            (
                "residents had stopped growing grain in the later period.",
                "Storage pits for grain suggest the opposite.",
            ),
            ("the older houses were larger than the later ones.", "House size is never discussed."),
        ],
        "why": "Pits designed to store grain for long periods appear only in the later houses, "
        "which suggests long-term food storage had begun.",
    },
    {
        "topic": "science",
        "level": 0,
        "passage": "When a planet passes in front of its star, it blocks a little of the star's "
        "light, making the star look slightly dimmer for a short time. Astronomers watching a "
        "distant star saw it dim by the same small amount every 43 days. Because the dimming "
        "repeated on such a regular schedule, the astronomers concluded that ______",
        "correct": "a planet passing in front of the star was the likely cause.",
        "wrong": [
            (
                "the star was slowly growing brighter over many years.",
                "Brief, repeated dimming does not show a gradual brightening.",
            ),
            (
                "the planet took 43 years to travel around the star.",
                "The dimming repeats every 43 days, not years.",
            ),
            (
                "the star could not have any planets orbiting it.",
                "Regular dimming is what a passing planet would cause.",
            ),
        ],
        "why": "A planet in orbit passes in front of its star once each orbit, producing the "
        "same dip at regular intervals.",
    },
    {
        "topic": "social",
        "level": 2,
        "passage": "In one school district, students who joined a free after-school tutoring "
        "program raised their math grades more than students who did not. However, joining was "
        "voluntary, and teachers observed that the students who signed up were often the most "
        "motivated in their classes. This suggests that ______",
        "correct": "the students' motivation may explain part of their improvement.",
        "wrong": [
            (
                "the tutoring program had no effect at all on students' grades.",
                "The text raises "
                "doubt about how much of the gain came from tutoring; it does not show zero "
                "effect.",
            ),
            (
                "less motivated students would have improved even more than the others.",
                "Nothing in the text supports this prediction.",
            ),
            (
                "the district should require every student to join the program.",
                "The text does not make or support a policy recommendation.",
            ),
        ],
        "why": "Because motivated students chose to join, the better grades could come partly "
        "from motivation, not only from tutoring.",
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Beavers build dams that slow streams and create ponds behind them. In one "
        "valley, researchers found that ponds behind beaver dams stayed full through a long "
        "drought, while nearby stretches of stream without dams dried up completely. This "
        "finding suggests that during dry years, beaver dams may ______",
        "correct": "help keep water available in the valley.",
        "wrong": [
            (
                "make droughts in the valley more severe.",
                "The dammed ponds kept their water, "
                "which is the opposite of worsening the drought.",
            ),
            (
                "prevent fish from living in the valley's ponds.",
                "The text says nothing about fish.",
            ),
            ("be abandoned by the beavers that built them.", "Nothing suggests the beavers left."),
        ],
        "why": "The ponds behind dams held water while undammed stretches dried up, so the dams "
        "appear to keep water in the valley during droughts.",
    },
    {
        "topic": "arts",
        "level": 2,
        "passage": "Early records could hold only about three minutes of sound per side. Music "
        "historian Jonas Ebbe notes that popular songs of that era rarely lasted much longer "
        "than three minutes even when bands played them live at dances, where no such limit "
        "applied. Ebbe's observation suggests that ______",
        "correct": "the recording limit shaped expectations about song length even outside the "
        "studio.",
        "wrong": [
            (
                "dancers of the era preferred songs much longer than three minutes.",
                "Live songs were short too, which does not suggest a preference for long songs.",
            ),
            (
                "records of the era could hold songs of any length.",
                "The text says records held only about three minutes per side.",
            ),
            (
                "bands recorded every song they played at dances.",
                "The text does not say live songs were recorded.",
            ),
        ],
        "why": "Songs stayed short even where the three-minute limit did not apply, suggesting "
        "the limit had shaped what a song was expected to be.",
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "A certain moth is active only at night, when it feeds on the nectar of pale "
        "flowers that open after sunset. Botanist Leilani Kealoha found that in a valley where "
        "new streetlights now keep the area bright all night, far fewer of these moths visit "
        "the flowers than in a dark neighboring valley. If the moths are the flowers' main "
        "pollinators, the flowers in the lit valley will most likely ______",
        "correct": "be pollinated less often than the flowers in the dark valley.",
        "wrong": [
            (
                "begin opening during the day to attract the moths.",
                "The text gives no evidence that the flowers change when they open.",
            ),
            (
                "be visited by more moths than before the lights were installed.",
                "The text says far fewer moths visit the flowers in the lit valley.",
            ),
            (
                "produce more nectar than the flowers in the dark valley.",
                "Nectar production is not discussed.",
            ),
        ],
        "why": "If moths are the main pollinators and fewer moths visit in the lit valley, those "
        "flowers will be pollinated less often.",
    },
]


def inferences(ctx: Ctx) -> Item:
    unit = ctx.rotate(INFERENCES, level_of=lambda u: u["level"])
    return _item(
        unit["passage"],
        "Which choice most logically completes the text?",
        (unit["correct"], unit["wrong"], unit["why"]),
    )


# --- Words in Context -----------------------------------------------------------------------------


WORDS: list[dict[str, Any]] = [
    {
        "topic": "arts",
        "level": 0,
        "passage": "Although the first reviews of the play were mixed, audiences were ______: by "
        "the end of its run, every performance had sold out and many viewers had returned to see "
        "it a second time.",
        "correct": "enthusiastic",
        "wrong": [
            (
                "indifferent",
                '"Indifferent" means uninterested, which conflicts with '
                "sold-out shows and repeat visits.",
            ),
            (
                "hesitant",
                '"Hesitant" suggests reluctance, not the eagerness the sold-out run shows.',
            ),
            (
                "critical",
                '"Critical" would match the mixed reviews, but "Although" '
                "signals that audiences reacted differently.",
            ),
        ],
        "why": '"Although" contrasts audiences with the mixed reviews, and the colon introduces '
        "evidence of eagerness: sold-out shows and repeat visits.",
    },
    {
        "topic": "science",
        "level": 0,
        "passage": "Biologist Irena Kovac's field notes were remarkably ______, recording not "
        "only each bird she saw but also the time, the weather, and the exact location of every "
        "sighting.",
        "correct": "thorough",
        "wrong": [
            ("brief", '"Brief" conflicts with notes that record many details.'),
            ("careless", '"Careless" conflicts with the exact, detailed records described.'),
            (
                "speculative",
                '"Speculative" means based on guesses, but the notes record observations.',
            ),
        ],
        "why": "Notes that record the time, weather, and exact location of every sighting are "
        "complete and detailed, or thorough.",
    },
    {
        "topic": "history",
        "level": 0,
        "passage": "Rather than ______ the old textile mill, the town converted it into "
        "apartments and artists' studios, keeping its brick walls and tall arched windows intact. "
        "Residents moved in the following spring.",
        "correct": "demolish",
        "wrong": [
            (
                "renovate",
                'Converting the mill is a kind of renovation, so "Rather than" '
                "would make no sense.",
            ),
            (
                "admire",
                '"Rather than admire" sets up no logical contrast with converting the mill.',
            ),
            ("advertise", "Advertising the mill is unrelated to the choice the town made."),
        ],
        "why": '"Rather than" introduces the option the town rejected; keeping the walls and '
        "windows intact contrasts with tearing the building down.",
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "The new measurements did not overturn the theory, but they did ______ it: "
        "researchers added a condition explaining why the predicted pattern appears only in cold "
        "climates.",
        "correct": "refine",
        "wrong": [
            ("abandon", 'Abandoning the theory contradicts "did not overturn."'),
            ("ignore", "The researchers changed the theory, so they did not ignore it."),
            ("publicize", "Publicizing a theory does not involve adding a condition to it."),
        ],
        "why": "Adding a condition that makes the theory more precise, without overturning it, "
        "is refining it.",
    },
    {
        "topic": "arts",
        "level": 1,
        "passage": "Chef Aurelio Batista's cooking is famously ______: each dish contains only "
        "three or four ingredients, prepared so that no single flavor overwhelms the others. "
        "Critics often compare her plates to sketches.",
        "correct": "restrained",
        "wrong": [
            (
                "elaborate",
                '"Elaborate" means complicated, which conflicts with using only a few ingredients.',
            ),
            ("inconsistent", "Nothing in the text suggests the dishes vary in quality."),
            ("unfamiliar", "The text describes simplicity and balance, not unfamiliarity."),
        ],
        "why": "Using only a few ingredients so that none overwhelms the others shows careful "
        "limits: the cooking is restrained.",
    },
    {
        "topic": "history",
        "level": 1,
        "passage": "Early maps of the coastline were often ______, placing some islands miles "
        "from their true positions and leaving others out entirely. Sailors who relied on them "
        "sometimes ran aground.",
        "correct": "inaccurate",
        "wrong": [
            ("decorative", "Whether maps were decorative is not what the misplaced islands show."),
            ("detailed", "Leaving out islands is the opposite of being detailed."),
            ("recent", "The text calls the maps early, not recent."),
        ],
        "why": "Misplaced and missing islands show that the maps did not correctly represent the "
        "coastline.",
    },
    {
        "topic": "history",
        "level": 2,
        "passage": "The treaty's terms were deliberately ______, allowing each nation to "
        "interpret its obligations in whatever way best suited its own interests. Disputes over "
        "its meaning began almost at once.",
        "correct": "ambiguous",
        "wrong": [
            (
                "strict",
                "Strict terms would limit interpretation, not allow each nation its own reading.",
            ),
            (
                "generous",
                "Generosity does not explain why the terms could be read in different ways.",
            ),
            ("brief", "Short terms are not necessarily open to several interpretations."),
        ],
        "why": "Terms that each nation can interpret as it likes are open to more than one "
        "meaning: ambiguous.",
    },
    {
        "topic": "science",
        "level": 1,
        "passage": "Some desert plants are remarkably ______: they can survive years without rain "
        "by storing water in their thick stems and leaves and by closing their pores in the heat "
        "of the day.",
        "correct": "resilient",
        "wrong": [
            ("fragile", "Plants that survive years without rain are the opposite of fragile."),
            ("colorful", "The text describes survival, not color."),
            ("abundant", "The text is about how the plants survive, not how common they are."),
        ],
        "why": "Surviving years without rain shows an ability to withstand hardship: the plants "
        "are resilient.",
    },
    {
        "topic": "history",
        "level": 2,
        "passage": "Historian Grace Mbeki argues that the merchant's diary should be read ______: "
        "its author wrote it to impress future readers, so his accounts of his own generosity may "
        "be exaggerated.",
        "correct": "skeptically",
        "wrong": [
            ("quickly", "The speed of reading is unrelated to the diary's possible exaggerations."),
            ("aloud", "Reading aloud does not address whether the diary can be trusted."),
            ("literally", "Taking the diary literally is what Mbeki warns against."),
        ],
        "why": "Because the author may have exaggerated to impress readers, his claims should be "
        "read with doubt: skeptically.",
    },
    {
        "topic": "arts",
        "level": 0,
        "passage": "The architect wanted the new library to feel ______, so she designed reading "
        "rooms with high ceilings, wide windows, and very few interior walls. Light reaches almost "
        "every table.",
        "correct": "spacious",
        "wrong": [
            ("intimate", "High ceilings and open rooms do not create a small, close feeling."),
            ("ornate", "The features described concern openness, not decoration."),
            ("secluded", "Wide windows and few walls do not make a place feel hidden away."),
        ],
        "why": "High ceilings, wide windows, and few walls all make rooms feel open and roomy.",
    },
    {
        "topic": "science",
        "level": 2,
        "passage": "Because her sample of fossils was so small, paleontologist Mireille Dufour "
        "described her conclusions as ______ and called for further excavation before anyone "
        "made firm claims about the species.",
        "correct": "tentative",
        "wrong": [
            (
                "definitive",
                "Calling for more evidence before firm claims conflicts with "
                "definitive conclusions.",
            ),
            (
                "obvious",
                "Nothing suggests the conclusions were obvious; the small sample "
                "makes them uncertain.",
            ),
            ("unoriginal", "The text concerns certainty, not originality."),
        ],
        "why": "A small sample and a call for more evidence show that Dufour regarded her "
        "conclusions as provisional.",
    },
    {
        "topic": "social",
        "level": 1,
        "passage": "The council member's argument was notably ______: each claim followed "
        "logically from the one before, and she supported every point with evidence from the "
        "city's own records.",
        "correct": "coherent",
        "wrong": [
            ("repetitive", "Claims that build on one another are not merely repeated."),
            ("emotional", "The text stresses logic and evidence, not emotion."),
            ("incomplete", "Supporting every point with evidence suggests completeness."),
        ],
        "why": "Claims that follow logically from one another form a clear, connected "
        "argument: a coherent one.",
    },
]


def words_in_context(ctx: Ctx) -> Item:
    unit = ctx.rotate(WORDS, level_of=lambda u: u["level"])
    return _item(
        unit["passage"],
        "Which choice completes the text with the most logical and precise word or phrase?",
        (unit["correct"], unit["wrong"], unit["why"]),
    )


# --- Cross-Text Connections ----------------------------------------------------------------------


PAIRS: list[dict[str, Any]] = [
    {
        "topic": "science",
        "level": 0,
        "text1": "Many nutrition guides advise eating breakfast every day, claiming that people "
        "who skip the morning meal tend to overeat later and gain weight. The advice rests "
        "largely on surveys showing that people who skip breakfast weigh more, on average, than "
        "people who eat it.",
        "text2": "Nutrition researcher Amira Haddad randomly assigned volunteers either to eat "
        "breakfast or to skip it for sixteen weeks. At the end of the study, the two groups' "
        "weight changes were nearly identical, and the skippers did not eat more at later meals. "
        "Haddad notes that people who choose to skip breakfast may differ from others in many "
        "ways unrelated to the meal itself.",
        "person": "Haddad",
        "claim": "the advice described in Text 1",
        "respond": (
            "She would say the surveys show an association, not that skipping breakfast "
            "causes weight gain.",
            [
                (
                    "She would agree that skipping breakfast causes weight gain but argue that "
                    "the effect is small.",
                    "Her study found no difference in weight change, "
                    "so she would not agree that skipping causes gain.",
                ),
                (
                    "She would claim that people who skip breakfast usually eat healthier "
                    "lunches than others.",
                    "Text 2 says nothing about the quality of skippers' lunches.",
                ),
                (
                    "She would recommend that everyone skip breakfast to avoid overeating at "
                    "later meals.",
                    "Her study found no effect either way, so it gives no "
                    "reason to recommend skipping.",
                ),
            ],
            "Text 1's advice rests on surveys linking skipping breakfast with weight. "
            "Haddad's randomized study found no difference, and she notes that skippers "
            "may differ in other ways, so she would see the surveys as showing only an "
            "association.",
        ),
        "relate": (
            "Text 2 describes an experiment that questions the reasoning behind the advice "
            "in Text 1.",
            [
                (
                    "Text 2 offers additional survey results that strengthen the advice "
                    "presented in Text 1.",
                    "Text 2 reports an experiment whose results undercut the advice.",
                ),
                (
                    "Text 2 explains why the nutrition guides discussed in Text 1 were first "
                    "written.",
                    "Text 2 does not discuss why the guides were written.",
                ),
                (
                    "Text 2 proposes a new daily diet to replace the one recommended in Text 1.",
                    "Text 2 proposes no diet.",
                ),
            ],
            "Text 1 presents advice based on survey data; Text 2 describes an experiment "
            "whose results do not support the causal claim behind that advice.",
        ),
    },
    {
        "topic": "history",
        "level": 1,
        "text1": "Scholars have long attributed the anonymous 1820s novel The Weaver's Daughter "
        'to the schoolteacher Margaret Ashby. They point to letters in which Ashby mentions "my '
        "book\" and to the novel's detailed descriptions of the mill town where she lived.",
        "text2": "Literary historian Obi Nwankwo compared the novel's vocabulary with Margaret "
        "Ashby's surviving letters and with the writings of her brother, Thomas, a clerk at the "
        "town's mill. Many unusual words in the novel appear often in Thomas's writing but never "
        "in Margaret's. Nwankwo also notes that Thomas lived in the same town as his sister.",
        "person": "Nwankwo",
        "claim": "the scholars' view described in Text 1",
        "respond": (
            "He would argue that the novel's language points to Thomas, so Margaret's "
            "authorship is uncertain.",
            [
                (
                    "He would agree with the scholars, because Thomas's writings confirm that "
                    "Margaret wrote the novel.",
                    "Nwankwo's evidence points toward Thomas, not toward Margaret.",
                ),
                (
                    "He would argue that the novel could not have been written by anyone who "
                    "lived in the mill town.",
                    "Nwankwo notes that Thomas lived in the same "
                    "town, so the setting fits him too.",
                ),
                (
                    'He would claim that the letters mentioning "my book" were actually '
                    "written by Thomas.",
                    "Text 2 does not question who wrote the letters.",
                ),
            ],
            "The scholars rely on the letters and the town setting. Nwankwo shows that "
            "the novel's vocabulary matches Thomas, who also lived in the town, which "
            "weakens the case for Margaret.",
        ),
        "relate": (
            "Text 2 presents evidence that challenges a long-held view described in Text 1.",
            [
                (
                    "Text 2 provides further evidence for the attribution described in Text 1.",
                    "Text 2's evidence points to a different author.",
                ),
                (
                    "Text 2 summarizes the plot of the novel discussed in Text 1.",
                    "Text 2 discusses vocabulary, not plot.",
                ),
                (
                    "Text 2 explains why the novel was first published without an author's name.",
                    "Text 2 does not discuss why the novel was anonymous.",
                ),
            ],
            "Text 1 gives the traditional attribution and its basis; Text 2 offers "
            "vocabulary evidence pointing to another writer.",
        ),
    },
    {
        "topic": "science",
        "level": 1,
        "text1": "Because honeybees are the best-known pollinators, many apple growers rent "
        "honeybee hives while their trees are in bloom, assuming that more honeybees in an "
        "orchard will mean more apples at harvest.",
        "text2": "Ecologist Marisol Vega counted insect visits to apple blossoms in forty "
        "orchards. In orchards bordered by woodland, wild bees made most of the visits, and "
        "more blossoms set fruit there than in orchards that relied on rented hives alone. "
        "Adding hives to orchards that already had many wild bees produced no further increase "
        "in fruit.",
        "person": "Vega",
        "claim": "the growers' assumption described in Text 1",
        "respond": (
            "She would say extra hives may not help where wild bees are already plentiful.",
            [
                (
                    "She would agree that adding honeybee hives always increases the number "
                    "of apples.",
                    "She found that adding hives produced no gain where wild bees were plentiful.",
                ),
                (
                    "She would argue that apple trees do not need insect pollinators to "
                    "produce fruit.",
                    "Her study counted pollinator visits and linked them to "
                    "fruit; it does not suggest insects are unnecessary.",
                ),
                (
                    "She would recommend that growers clear nearby woodland to make room for "
                    "more hives.",
                    "Woodland supported the wild bees linked to higher fruit "
                    "set, so clearing it would work against her findings.",
                ),
            ],
            "Text 1's growers assume more honeybees mean more apples. Vega found that "
            "where wild bees were common, adding hives did not raise fruit set.",
        ),
        "relate": (
            "Text 2 reports findings that complicate an assumption described in Text 1.",
            [
                (
                    "Text 2 explains how to rent honeybee hives, as described in Text 1.",
                    "Text 2 does not explain how to rent hives.",
                ),
                (
                    "Text 2 confirms that honeybees are the only effective pollinators of apples.",
                    "Text 2 shows that wild bees made most visits in some orchards.",
                ),
                (
                    "Text 2 describes the history of apple growing in regions near woodland.",
                    "Text 2 reports a study, not a history.",
                ),
            ],
            "Text 1 describes an assumption about rented hives; Text 2's findings show "
            "the assumption does not hold in every orchard.",
        ),
    },
    {
        "topic": "arts",
        "level": 2,
        "text1": "Critics often praise photographer Teodora Vance for her candid street "
        "portraits, which seem to catch strangers unaware in moments of private emotion: a man "
        "laughing alone at a bus stop, a girl staring into a shop window.",
        "text2": "Vance's recently published contact sheets, the strips of small prints made "
        "from each roll of film, show that many of her best-known portraits came after long "
        "conversations with her subjects. The subjects agreed to be photographed and sometimes "
        "repeated a gesture several times until Vance had the frame she wanted.",
        "person": "the author of Text 2",
        "claim": "the critics' description in Text 1",
        "respond": (
            "The author would say many portraits were made with the subjects' "
            "cooperation, not candidly.",
            [
                (
                    "The author would argue that Vance never photographed strangers on the street.",
                    "Text 2 says she talked with her subjects, not that they were "
                    "not strangers or not on the street.",
                ),
                (
                    "The author would claim that the portraits lack the emotional power "
                    "critics see in them.",
                    "Text 2 questions how the images were made, not their emotional power.",
                ),
                (
                    "The author would agree that Vance's subjects did not know they were being "
                    "photographed.",
                    "Text 2 says the subjects agreed to be photographed.",
                ),
            ],
            "The critics see the portraits as catching strangers unaware; the contact "
            "sheets show that subjects often cooperated and even repeated gestures.",
        ),
        "relate": (
            "Text 2 offers evidence that undercuts a description of the photographs given "
            "in Text 1.",
            [
                (
                    "Text 2 explains why critics in Text 1 prefer street portraits to studio "
                    "portraits.",
                    "No such preference is discussed.",
                ),
                (
                    "Text 2 supports the critics' view by describing Vance's use of hidden "
                    "cameras.",
                    "Text 2 describes conversations and cooperation, not hidden cameras.",
                ),
                (
                    "Text 2 describes the subjects' reactions to seeing their portraits in Text 1.",
                    "Text 2 does not report any such reactions.",
                ),
            ],
            "Text 1 calls the portraits candid; Text 2's evidence shows many were "
            "arranged with the subjects' agreement.",
        ),
    },
    {
        "topic": "social",
        "level": 2,
        "text1": "Many economists predict that when a city raises its minimum wage, businesses "
        "respond by hiring fewer workers, since each worker now costs more to employ. Restaurants, "
        "which employ many low-wage workers, are often studied.",
        "text2": "Economist Rahel Tesfaye studied restaurants on both sides of a border between "
        "two neighboring cities after one of them raised its minimum wage. Over the next two "
        "years, restaurant employment in the two cities changed by nearly the same amount. "
        "Tesfaye cautions, however, that the raise was modest and that larger increases might "
        "have different effects.",
        "person": "Tesfaye",
        "claim": "the prediction described in Text 1",
        "respond": (
            "She would note that her study did not find the predicted drop in hiring, at "
            "least for a modest increase.",
            [
                (
                    "She would agree that any minimum wage increase leads businesses to hire "
                    "fewer workers.",
                    "Her study found no difference in employment after the increase.",
                ),
                (
                    "She would claim that raising the minimum wage always increases employment.",
                    "Her findings show no change, and she cautions against generalizing.",
                ),
                (
                    "She would argue that restaurant hiring is unaffected by wages of any size.",
                    "She explicitly says larger increases might have different effects.",
                ),
            ],
            "Text 1 predicts fewer hires after a raise. Tesfaye found nearly equal "
            "employment changes but limits her conclusion to modest increases.",
        ),
        "relate": (
            "Text 2 presents results that do not match a prediction in Text 1, while "
            "noting a limit on those results.",
            [
                (
                    "Text 2 presents results that confirm the prediction in Text 1 for all "
                    "sizes of wage increase.",
                    "Text 2's results do not match the prediction, "
                    "and Tesfaye limits them to modest raises.",
                ),
                (
                    "Text 2 explains the history of minimum wage laws mentioned in Text 1.",
                    "Text 2 reports a study, not a history.",
                ),
                (
                    "Text 2 argues that the economists in Text 1 studied the wrong cities.",
                    "Text 1 mentions no particular cities.",
                ),
            ],
            "Text 1 gives a prediction; Text 2 reports a study that did not find the "
            "predicted effect and notes that its findings apply to a modest raise.",
        ),
    },
    {
        "topic": "science",
        "level": 2,
        "text1": "The large, dark plains on the side of the Moon that faces Earth are usually "
        "explained as ancient lava flows. According to this view, huge impacts carved out wide "
        "basins, and molten rock from below later welled up and filled them.",
        "text2": "Planetary geologist Anjali Rao accepts that the dark plains are lava-filled "
        "basins. But she points out that the Moon's far side, which was struck by large impacts "
        "just as often, has very few such plains. Rao argues that the crust on the near side is "
        "thinner, which let lava reach the surface there far more easily.",
        "person": "Rao",
        "claim": "the explanation presented in Text 1",
        "respond": (
            "She would accept it but say it does not explain why the plains are mostly "
            "on one side.",
            [
                (
                    "She would reject the idea that the dark plains were formed by lava filling "
                    "impact basins.",
                    "Text 2 says Rao accepts that the plains are lava-filled basins.",
                ),
                (
                    "She would claim that the far side of the Moon was struck by fewer large "
                    "impacts than the near side.",
                    "Rao says the far side was struck just as often.",
                ),
                (
                    "She would argue that the dark plains on the near side formed only in the "
                    "recent past.",
                    "Text 2 says nothing about when the plains formed.",
                ),
            ],
            "Rao agrees with Text 1 that the plains are lava-filled basins but adds that "
            "a thinner near-side crust explains why they are concentrated there.",
        ),
        "relate": (
            "Text 2 accepts the explanation in Text 1 and adds a factor that accounts for "
            "an uneven pattern.",
            [
                (
                    "Text 2 rejects the explanation in Text 1 and proposes that the plains are "
                    "made of dust.",
                    "Rao accepts that the plains are lava.",
                ),
                (
                    "Text 2 repeats the explanation in Text 1 without adding anything new.",
                    "Text 2 adds the thinner crust as an explanation for the pattern.",
                ),
                (
                    "Text 2 describes how the far side of the Moon was first photographed.",
                    "Text 2 does not discuss photography.",
                ),
            ],
            "Text 2 agrees that the plains are lava but explains their uneven distribution "
            "with a difference in crust thickness.",
        ),
    },
]


def cross_text(ctx: Ctx) -> Item:
    units = [(p, "respond") for p in PAIRS] + [(p, "relate") for p in PAIRS]
    pair, form = ctx.rotate(units, level_of=_passage_level, round_of=_second_form)
    if form == "respond":
        stem = (
            f"Based on the texts, how would {pair['person']} (Text 2) most likely respond to "
            f"{pair['claim']}?"
        )
        if pair["person"].startswith("the author"):
            stem = (
                f"Based on the texts, how would the author of Text 2 most likely respond to "
                f"{pair['claim']}?"
            )
    else:
        stem = "Which choice best describes how Text 2 relates to Text 1?"
    return _item(f"Text 1\n{pair['text1']}", stem, pair[form], passage_b=f"Text 2\n{pair['text2']}")


TEMPLATES: dict[str, list[Template]] = {
    "central_ideas_details": [Template(central_ideas, spr=False)],
    "command_of_evidence_textual": [Template(evidence_textual, spr=False)],
    "command_of_evidence_quantitative": [Template(evidence_quantitative, spr=False)],
    "inferences": [Template(inferences, spr=False)],
    "words_in_context": [Template(words_in_context, spr=False)],
    "text_structure_purpose": [Template(text_structure, spr=False)],
    "cross_text_connections": [Template(cross_text, spr=False)],
}
