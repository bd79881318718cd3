"""The Fitness for Improvement Tool (FFIT): its wording, scale and sections.

Every string here is copied from Appendix 1 of the Health Foundation report *Able to improve?* (seed 001,
~807-892), spelling and punctuation included: the stems and items are the tool's contract, and
tests/ffit/test_questionnaire.py checks them against the seed text. Pure Python, so no Django import.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str
    text: str


@dataclass(frozen=True)
class Section:
    key: str
    number: int
    title: str
    items: tuple[Item, ...]


# Seed 001 ~811: the tool's purpose.
INTRODUCTION = (
    "Each section of the FFIT reflects the tasks and skills needed for successful improvement on the front line and "
    "will help to assess the readiness of the QI team and the staff to undertake an improvement initiative. The "
    "higher the score, the readier the setting is for improvement. Lower scores highlight areas that may need "
    "strengthening before fully-owned, sustainable improvement can occur successfully."
)

# Seed 001 ~813: shown wherever a score is, so nobody reads it as a validated measure.
CAVEAT = (
    "Please note that FFIT has not been validated and tested. It will only be an approximate barometer for use as a "
    "guide for further action, working in conjunction with the units undertaking the QI initiative."
)

# Seed 001 ~815: who should answer. It ends with ":" because the seed goes on to list the scale.
RESPONDENTS = (
    "It is recommended that QI initiators and key managers of the relevant units consider the following questions "
    "below and score each one as follows:"
)

# Seed 001 ~817-822: the seed labels every point, not only the ends.
SCALE: tuple[tuple[int, str], ...] = (
    (0, "Not at all"),
    (1, "To a small extent"),
    (2, "To some extent"),
    (3, "To a moderate extent"),
    (4, "To a great extent"),
    (5, "To a very great extent"),
)


def _section(number: int, key: str, title: str, *texts: str) -> Section:
    # Item keys are stored with people's answers: append new items, never renumber existing ones.
    items = tuple(Item(key=f"s{number}_{index:02d}", text=text) for index, text in enumerate(texts, start=1))
    return Section(key=key, number=number, title=title, items=items)


SECTIONS: tuple[Section, ...] = (
    # Seed 001 ~824-838 (a markdown table in the seed; the "•" bullets are not part of the wording).
    _section(
        1,
        "frontline_staff",
        "Thinking of the unit(s) where you wish to make the improvement, to what extent do the front-line staff:",
        "feel they are in a blame-free, nurturing and open environment?",
        "feel able to challenge suboptimal practice?",
        "show an ability to manage tensions and factions?",
        "have the capacity to collect the necessary data?",
        "undertake successful audits and respond to them constructively?",
        "feel a strong sense of ownership about the quality of care?",
        "feel encouraged to make suggestions about improving care?",
        "show a sense of dedication to high-quality care?",
        "aspire to high professional standards?",
        "have good clinical role models?",
        "feel they have the resources to do the job?",
    ),
    # Seed 001 ~840-850 (also a markdown table).
    _section(
        2,
        "resourcing",
        "Is there adequate resourcing to carry out the improvement in terms of:",
        "staffing levels in the clinical units concerned?",
        "necessary equipment?",
        "appropriate documentation/admin procedures?",
        "administrative support?",
        "training support?",
        "active backing and support from senior managers?",
        "staffing levels and skill-mix among the QI team?",
    ),
    # Seed 001 ~852-860.
    _section(
        3,
        "managers",
        "Thinking of the managers who will be involved, will they be able to:",
        "lead staff capably towards achieving the improvement?",
        "inspire and nurture skilful, influential champions to help achieve the change?",
        "skilfully handle resistance to change?",
        "shield staff from dealing with too many improvement initiatives at once?",
        "make good judgements about the timing of the QI initiative?",
        "coordinate the QI initiative with all the other required tasks?",
        "follow through and maintain momentum?",
    ),
    # Seed 001 ~862-870.
    _section(
        4,
        "confidence",
        "How confident do you feel that:",
        "you have fully understood what is wrong and why?",
        "the intended improvement will actually solve the problem?",
        "the managers, staff and service users would agree with that assessment?",
        "you have fully assessed and involved all the main stakeholders?",
        "all the relevant staff will be fully on board?",
        "there are not too many other initiatives already underway?",
        "this initiative has been appropriately coordinated with other improvements?",
    ),
    # Seed 001 ~872-877; "people's" has a straight apostrophe in the seed.
    _section(
        5,
        "messages",
        "To what extent have you thought about how you will:",
        "make sure the right messages get through to all the right people?",
        "reframe the message to suit all the various people involved?",
        "know that the message is being communicated effectively?",
        "take account of people's reactions?",
    ),
    # Seed 001 ~879-884.
    _section(
        6,
        "learning",
        "In terms of the new learning that will be required among the staff:",
        "is there a good learning culture?",
        "is there the capacity to undergo the necessary learning?",
        "will they be able to acquire and develop the necessary QI skills?",
        "will they be able to acquire and develop the necessary clinical skills?",
    ),
    # Seed 001 ~886-892; the only stem of two sentences.
    _section(
        7,
        "context",
        "Most improvements need to be modified to suit the context. To what extent have you considered:",
        "lessons learnt from previous attempted improvements in this context?",
        "the degree to which the proposed changes will fit in the units concerned?",
        "ensuring how the improvement could be sensibly adapted as it proceeds?",
        "how you will take account of problems encountered as the work proceeds?",
        "how much modification to the original intended change will be acceptable?",
    ),
)

ITEMS_BY_KEY: dict[str, Item] = {item.key: item for section in SECTIONS for item in section.items}
