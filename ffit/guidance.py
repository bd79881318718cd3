"""What good looks like, per FFIT section: rows of the SOFFT findings table that follows the tool.

The wording is the seed's (001 ~894-923, "The findings that underpinned the FFIT"), including its quirks: the
heading "Ensuring the QI team use technical QI skills." keeps its full stop, "initiativitis" and "grown-up
conversations" keep the appendix's straight double quotes (Table 4 in the body, ~481-510, has single ones), and
"Leaders showed enthusiasm communicated well … motivated staff be creative" is left as printed. The table was
converted from a PDF: group headings are rows with no text of their own, and the last row was split from the rest
by a blank line. Which rows fit which section follows the seeds README ("FFIT readiness"). Pure Python, no Django.
"""

# Every SOFFT row that has text, in the seed table's order (heading, what the SOFFT achieved).
FINDINGS: dict[str, str] = {
    "Ensuring a blame-free, nurturing and open environment": (
        "There was clear communication in an honest, supportive and collaborative environment that enabled a clear "
        "and shared understanding of, and commitment to, the agreed improvement."
    ),
    "Enabling staff to have difficult conversations through respectful critical dialogue, challenging suboptimal "
    "practice, managing tensions and factions, data collection utilisation and audit, stakeholder mapping": (
        'Staff were enabled and encouraged to have "grown-up conversations" that could challenge practice without '
        "triggering punitive action."
    ),
    "Ensuring the QI team use technical QI skills.": (
        "Staff made good use of data, and also used audit findings strategically, or used PDSA or stakeholder "
        "analysis effectively."
    ),
    "Fostering a strong sense of staff ownership": (
        "Staff had the time, resources, and socio-organisational intelligence about when, for example, to involve "
        "which staff and listen to their views."
    ),
    "Encouraging and rewarding good suggestions": (
        "There was a sense of being involved and taken seriously, and having contributions recognised and respected."
    ),
    "Inculcating a sense of dedication to high-quality care: instilling high professional values and role modelling": (
        "Respected front-line leaders demanded and demonstrated genuine values. They emphasised the highest "
        "standards of care, inspiring but also admonishing where standards slipped."
    ),
    "Securing the resources to do the job": (
        "There was adequate staffing and the demands on the QI team were matched with the necessary resources, "
        "support and training."
    ),
    "Leading staff towards the achievement of improvement": (
        "Leaders showed enthusiasm communicated well, appointed the right team, set clear direction and goals, "
        "conferred autonomy, provided resources, and motivated staff be creative and productive."
    ),
    'Avoiding and shielding staff from "initiativitis"': (
        "Staff did not feel inundated by quality initiatives from above, and were protected from multiple, rushed "
        "QI imperatives that gave little time to achieve and sustain change."
    ),
    "Timing, coordination and momentum": (
        "QI teams had a chance to develop practice, reflect on progress, and embed, evaluate, and sustain change. "
        'This required understanding the context, maintaining a clear direction and "getting the timing right".'
    ),
    "Understanding what is wrong and why": (
        "The true nature of the perceived problem, the improvement required, and the approach used had all been "
        "carefully investigated with a clinical and managerial eye."
    ),
    "Co-designing the QI work": (
        "All the relevant parties had been carefully and appropriately involved in discussions that genuinely took "
        "on board staff needs and concerns at all project stages."
    ),
    # The appendix copy (~913) drops the full stop; Table 4 (~501) has it.
    "Getting through to the right people": (
        "It had been made possible for everyone concerned (including night shift and agency staff) to hear the "
        "message first hand."
    ),
    "Framing the message correctly": (
        "The QI team had considered carefully who the right staff were to engage with and when, understood the "
        "potential resistance and support for change, and had tailored their communication styles appropriately."
    ),
    "Communicating effectively": (
        "Everyone was able to engage, explain, listen and understand others' intentions and concerns. When staff "
        "were asked about the necessary QI skills, communication was mentioned the most often. In practice, "
        "however, good communication depended on many other SOFTTs being achieved."
    ),
    "Creating the necessary culture of learning": (
        "The organisation took learning seriously and enabled staff – however busy – to partake in an array of "
        "relevant coaching, mentoring, preceptorship, on-site training, roadshows, and 'skills blitzes' and "
        "didactic teaching."
    ),
    "Growing the necessary QI skills": (
        "Staff were encouraged to share their knowledge and experience of QI. It was recognised that skills "
        "obtained on training courses are only a small part of the skills and knowledge used in QI."
    ),
    "Adapting prior experiential learning": (
        "Staff at all levels were encouraged to adapt their prior experience appropriately in a new context, and to "
        "recognise that what works in one environment may not translate to a different one."
    ),
    "Transforming the original improvement to match the context": (
        "The QI team displayed contextual empathy, matching an intervention to its context to ensure alignment "
        "between the initial vision, the desired outcome, the approach used and the immediate local front-line "
        "circumstances."
    ),
    "Using experience to modify the intervention": (
        "The QI team continually monitored projects: asking participants how it was going, observing, learning from "
        "feedback, identifying problems and solutions, and auditing compliance. (PDSA – even ‘PDSA-lite’ – was "
        "helpful here)"
    ),
}

# The table's group headings (rows with no text), for each row under one. "Securing the resources to do the job"
# closes the first group as in Box 1 (~114-139); "Leading staff towards the achievement of improvement" stands
# alone there and in the table, so it has no group.
GROUP_OF: dict[str, str] = {
    **dict.fromkeys(
        (
            "Ensuring a blame-free, nurturing and open environment",
            "Enabling staff to have difficult conversations through respectful critical dialogue, challenging "
            "suboptimal practice, managing tensions and factions, data collection utilisation and audit, "
            "stakeholder mapping",
            "Ensuring the QI team use technical QI skills.",
            "Fostering a strong sense of staff ownership",
            "Encouraging and rewarding good suggestions",
            "Inculcating a sense of dedication to high-quality care: instilling high professional values and role "
            "modelling",
            "Securing the resources to do the job",
        ),
        "Adopting and promulgating the appropriate style and tone",
    ),
    **dict.fromkeys(
        ('Avoiding and shielding staff from "initiativitis"', "Timing, coordination and momentum"),
        "Managing the QI roller-coaster",
    ),
    **dict.fromkeys(
        ("Understanding what is wrong and why", "Co-designing the QI work"),
        "Getting the problem (and intended solution) are right",
    ),
    **dict.fromkeys(
        ("Getting through to the right people", "Framing the message correctly", "Communicating effectively"),
        "Communicating the right message to the right staff",
    ),
    **dict.fromkeys(
        ("Creating the necessary culture of learning", "Growing the necessary QI skills"),
        "Enabling learning to occur",
    ),
    **dict.fromkeys(
        (
            "Adapting prior experiential learning",
            "Transforming the original improvement to match the context",
            "Using experience to modify the intervention",
        ),
        "Contextualising experience",
    ),
}


def _rows(*headings: str) -> tuple[tuple[str, str], ...]:
    return tuple((heading, FINDINGS[heading]) for heading in headings)


# Section key -> (heading, what good looks like) rows that fit it.
GUIDANCE: dict[str, tuple[tuple[str, str], ...]] = {
    "frontline_staff": _rows(
        "Ensuring a blame-free, nurturing and open environment",
        "Enabling staff to have difficult conversations through respectful critical dialogue, challenging "
        "suboptimal practice, managing tensions and factions, data collection utilisation and audit, stakeholder "
        "mapping",
        "Ensuring the QI team use technical QI skills.",
        "Fostering a strong sense of staff ownership",
        "Encouraging and rewarding good suggestions",
        "Inculcating a sense of dedication to high-quality care: instilling high professional values and role "
        "modelling",
        "Securing the resources to do the job",
    ),
    "resourcing": _rows(
        "Securing the resources to do the job",
        # Item 6 asks about backing from senior managers.
        "Leading staff towards the achievement of improvement",
    ),
    "managers": _rows(
        "Leading staff towards the achievement of improvement",
        'Avoiding and shielding staff from "initiativitis"',
        "Timing, coordination and momentum",
    ),
    "confidence": _rows(
        "Understanding what is wrong and why",
        "Co-designing the QI work",
        # Items 6 and 7 ask about other initiatives and coordination with them.
        'Avoiding and shielding staff from "initiativitis"',
        "Timing, coordination and momentum",
    ),
    "messages": _rows(
        "Getting through to the right people",
        "Framing the message correctly",
        "Communicating effectively",
    ),
    "learning": _rows(
        "Creating the necessary culture of learning",
        "Growing the necessary QI skills",
    ),
    "context": _rows(
        "Adapting prior experiential learning",
        "Transforming the original improvement to match the context",
        "Using experience to modify the intervention",
    ),
}
