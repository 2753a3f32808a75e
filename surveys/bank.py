"""The question bank: questions the office can add to a survey with one click.

Written for this product in our own words, in nb, sv and en; not taken from any
survey vendor or national survey. Each entry says which audiences it suits.
"""

from __future__ import annotations

from dataclasses import dataclass

CARE = ("care_recipients", "next_of_kin", "parents", "other")
STAFF = ("staff",)
ALL = CARE + STAFF


@dataclass(frozen=True)
class BankQuestion:
    key: str
    kind: str
    audiences: tuple[str, ...]
    nb: str
    sv: str
    en: str
    options: tuple[tuple[str, str, str], ...] = ()


BANK: tuple[BankQuestion, ...] = (
    BankQuestion(
        "respect",
        "scale",
        CARE,
        "De som hjelper meg, behandler meg med respekt.",
        "De som hjälper mig bemöter mig med respekt.",
        "The people who help me treat me with respect.",
    ),
    BankQuestion(
        "say",
        "scale",
        CARE,
        "Jeg får være med og bestemme hvordan hjelpen blir gitt.",
        "Jag får vara med och bestämma hur hjälpen ges.",
        "I have a say in how the help is given.",
    ),
    BankQuestion(
        "time",
        "scale",
        CARE,
        "De som hjelper meg, har nok tid til meg.",
        "De som hjälper mig har tillräckligt med tid för mig.",
        "The people who help me have enough time for me.",
    ),
    BankQuestion(
        "safe",
        "scale",
        CARE,
        "Jeg føler meg trygg på hjelpen jeg får.",
        "Jag känner mig trygg med hjälpen jag får.",
        "I feel safe with the help I get.",
    ),
    BankQuestion(
        "informed",
        "scale",
        CARE,
        "Jeg får vite det jeg trenger om tjenesten og endringer i den.",
        "Jag får veta det jag behöver om tjänsten och ändringar i den.",
        "I am told what I need to know about the service and changes to it.",
    ),
    BankQuestion(
        "few_faces",
        "scale",
        CARE,
        "Det er ikke for mange ulike personer som hjelper meg.",
        "Det är inte för många olika personer som hjälper mig.",
        "Not too many different people come to help me.",
    ),
    BankQuestion(
        "complaint",
        "yes_no",
        CARE,
        "Vet du hvem du skal kontakte hvis du er misfornøyd?",
        "Vet du vem du ska kontakta om du är missnöjd?",
        "Do you know whom to contact if you are unhappy with something?",
    ),
    BankQuestion(
        "overall_care",
        "scale",
        CARE,
        "Alt i alt er jeg fornøyd med tjenesten.",
        "Allt som allt är jag nöjd med tjänsten.",
        "All things considered, I am satisfied with the service.",
    ),
    BankQuestion(
        "kin_welcome",
        "scale",
        ("next_of_kin",),
        "Jeg blir tatt godt imot når jeg tar kontakt.",
        "Jag blir väl mottagen när jag hör av mig.",
        "I am made welcome when I get in touch.",
    ),
    BankQuestion(
        "staff_meaning",
        "scale",
        STAFF,
        "Arbeidet mitt oppleves meningsfullt.",
        "Mitt arbete känns meningsfullt.",
        "My work feels meaningful.",
    ),
    BankQuestion(
        "staff_deviations",
        "scale",
        STAFF,
        "Det er trygt å melde avvik der jeg jobber.",
        "Det är tryggt att rapportera avvikelser där jag arbetar.",
        "It is safe to report deviations where I work.",
    ),
    BankQuestion(
        "staff_learning",
        "scale",
        STAFF,
        "Vi lærer av avvik og feil som blir meldt.",
        "Vi lär oss av avvikelser och fel som rapporteras.",
        "We learn from the deviations and mistakes that are reported.",
    ),
    BankQuestion(
        "staff_competence",
        "scale",
        STAFF,
        "Jeg har kompetansen jeg trenger for oppgavene mine.",
        "Jag har den kompetens jag behöver för mina uppgifter.",
        "I have the skills my tasks call for.",
    ),
    BankQuestion(
        "staff_improve",
        "scale",
        STAFF,
        "Jeg blir involvert i arbeidet med å gjøre tjenesten bedre.",
        "Jag är delaktig i arbetet med att förbättra verksamheten.",
        "I take part in the work of making the service better.",
    ),
    BankQuestion(
        "staff_leader",
        "scale",
        STAFF,
        "Lederen min følger opp kvaliteten i tjenesten.",
        "Min chef följer upp kvaliteten i verksamheten.",
        "My manager follows up the quality of the service.",
    ),
    BankQuestion(
        "staff_years",
        "single",
        STAFF,
        "Hvor lenge har du jobbet her?",
        "Hur länge har du arbetat här?",
        "How long have you worked here?",
        (
            ("Under ett år", "Under ett år", "Less than a year"),
            ("1–5 år", "1–5 år", "1–5 years"),
            ("Mer enn 5 år", "Mer än 5 år", "More than 5 years"),
        ),
    ),
    BankQuestion(
        "help_with",
        "multiple",
        CARE,
        "Hva får du hjelp til? Kryss av for alt som passer.",
        "Vad får du hjälp med? Kryssa för allt som stämmer.",
        "What do you get help with? Tick all that apply.",
        (
            ("Personlig stell", "Personlig omvårdnad", "Personal care"),
            ("Medisiner", "Läkemedel", "Medicines"),
            ("Måltider", "Måltider", "Meals"),
            ("Praktisk hjelp i hjemmet", "Praktisk hjälp i hemmet", "Practical help at home"),
        ),
    ),
    BankQuestion(
        "improve_text",
        "text",
        ALL,
        "Hva er det viktigste vi kan gjøre bedre?",
        "Vad är det viktigaste vi kan göra bättre?",
        "What is the most important thing we could do better?",
    ),
)

BY_KEY = {question.key: question for question in BANK}


def bank_for(audience: str) -> list[BankQuestion]:
    return [question for question in BANK if audience in question.audiences]
