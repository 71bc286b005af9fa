"""The official digital-SAT taxonomy: sections, domains, skills and difficulty."""

from __future__ import annotations

from django.db import models


class Section(models.TextChoices):
    MATH = "math", "Math"
    READING_WRITING = "rw", "Reading and Writing"


class Domain(models.TextChoices):
    ALGEBRA = "algebra", "Algebra"
    ADVANCED_MATH = "advanced_math", "Advanced Math"
    PSDA = "psda", "Problem-Solving and Data Analysis"
    GEOMETRY_TRIG = "geometry_trig", "Geometry and Trigonometry"
    INFORMATION_IDEAS = "information_ideas", "Information and Ideas"
    CRAFT_STRUCTURE = "craft_structure", "Craft and Structure"
    EXPRESSION_IDEAS = "expression_ideas", "Expression of Ideas"
    CONVENTIONS = "conventions", "Standard English Conventions"


class Skill(models.TextChoices):
    # Math / Algebra
    LINEAR_EQUATIONS_ONE_VARIABLE = (
        "linear_equations_one_variable",
        "Linear equations in one variable",
    )
    LINEAR_FUNCTIONS = "linear_functions", "Linear functions"
    LINEAR_EQUATIONS_TWO_VARIABLES = (
        "linear_equations_two_variables",
        "Linear equations in two variables",
    )
    SYSTEMS_LINEAR_EQUATIONS = (
        "systems_linear_equations",
        "Systems of two linear equations in two variables",
    )
    LINEAR_INEQUALITIES = (
        "linear_inequalities",
        "Linear inequalities in one or two variables",
    )
    # Math / Advanced Math
    EQUIVALENT_EXPRESSIONS = "equivalent_expressions", "Equivalent expressions"
    NONLINEAR_EQUATIONS = (
        "nonlinear_equations",
        "Nonlinear equations in one variable and systems of equations in two variables",
    )
    NONLINEAR_FUNCTIONS = "nonlinear_functions", "Nonlinear functions"
    # Math / Problem-Solving and Data Analysis
    RATIOS_RATES = (
        "ratios_rates",
        "Ratios, rates, proportional relationships, and units",
    )
    PERCENTAGES = "percentages", "Percentages"
    ONE_VARIABLE_DATA = (
        "one_variable_data",
        "One-variable data: Distributions and measures of center and spread",
    )
    TWO_VARIABLE_DATA = "two_variable_data", "Two-variable data: Models and scatterplots"
    PROBABILITY = "probability", "Probability and conditional probability"
    INFERENCE_SAMPLE_STATISTICS = (
        "inference_sample_statistics",
        "Inference from sample statistics and margin of error",
    )
    EVALUATING_STATISTICAL_CLAIMS = (
        "evaluating_statistical_claims",
        "Evaluating statistical claims: Observational studies and experiments",
    )
    # Math / Geometry and Trigonometry
    AREA_VOLUME = "area_volume", "Area and volume"
    LINES_ANGLES_TRIANGLES = "lines_angles_triangles", "Lines, angles, and triangles"
    RIGHT_TRIANGLES_TRIG = "right_triangles_trig", "Right triangles and trigonometry"
    CIRCLES = "circles", "Circles"
    # Reading and Writing / Information and Ideas
    CENTRAL_IDEAS_DETAILS = "central_ideas_details", "Central Ideas and Details"
    COMMAND_OF_EVIDENCE_TEXTUAL = (
        "command_of_evidence_textual",
        "Command of Evidence (Textual)",
    )
    COMMAND_OF_EVIDENCE_QUANTITATIVE = (
        "command_of_evidence_quantitative",
        "Command of Evidence (Quantitative)",
    )
    INFERENCES = "inferences", "Inferences"
    # Reading and Writing / Craft and Structure
    WORDS_IN_CONTEXT = "words_in_context", "Words in Context"
    TEXT_STRUCTURE_PURPOSE = "text_structure_purpose", "Text Structure and Purpose"
    CROSS_TEXT_CONNECTIONS = "cross_text_connections", "Cross-Text Connections"
    # Reading and Writing / Expression of Ideas
    RHETORICAL_SYNTHESIS = "rhetorical_synthesis", "Rhetorical Synthesis"
    TRANSITIONS = "transitions", "Transitions"
    # Reading and Writing / Standard English Conventions
    BOUNDARIES = "boundaries", "Boundaries"
    FORM_STRUCTURE_SENSE = "form_structure_sense", "Form, Structure, and Sense"


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


DOMAINS_BY_SECTION: dict[Section, tuple[Domain, ...]] = {
    Section.MATH: (
        Domain.ALGEBRA,
        Domain.ADVANCED_MATH,
        Domain.PSDA,
        Domain.GEOMETRY_TRIG,
    ),
    Section.READING_WRITING: (
        Domain.INFORMATION_IDEAS,
        Domain.CRAFT_STRUCTURE,
        Domain.EXPRESSION_IDEAS,
        Domain.CONVENTIONS,
    ),
}

SKILLS_BY_DOMAIN: dict[Domain, tuple[Skill, ...]] = {
    Domain.ALGEBRA: (
        Skill.LINEAR_EQUATIONS_ONE_VARIABLE,
        Skill.LINEAR_FUNCTIONS,
        Skill.LINEAR_EQUATIONS_TWO_VARIABLES,
        Skill.SYSTEMS_LINEAR_EQUATIONS,
        Skill.LINEAR_INEQUALITIES,
    ),
    Domain.ADVANCED_MATH: (
        Skill.EQUIVALENT_EXPRESSIONS,
        Skill.NONLINEAR_EQUATIONS,
        Skill.NONLINEAR_FUNCTIONS,
    ),
    Domain.PSDA: (
        Skill.RATIOS_RATES,
        Skill.PERCENTAGES,
        Skill.ONE_VARIABLE_DATA,
        Skill.TWO_VARIABLE_DATA,
        Skill.PROBABILITY,
        Skill.INFERENCE_SAMPLE_STATISTICS,
        Skill.EVALUATING_STATISTICAL_CLAIMS,
    ),
    Domain.GEOMETRY_TRIG: (
        Skill.AREA_VOLUME,
        Skill.LINES_ANGLES_TRIANGLES,
        Skill.RIGHT_TRIANGLES_TRIG,
        Skill.CIRCLES,
    ),
    Domain.INFORMATION_IDEAS: (
        Skill.CENTRAL_IDEAS_DETAILS,
        Skill.COMMAND_OF_EVIDENCE_TEXTUAL,
        Skill.COMMAND_OF_EVIDENCE_QUANTITATIVE,
        Skill.INFERENCES,
    ),
    Domain.CRAFT_STRUCTURE: (
        Skill.WORDS_IN_CONTEXT,
        Skill.TEXT_STRUCTURE_PURPOSE,
        Skill.CROSS_TEXT_CONNECTIONS,
    ),
    Domain.EXPRESSION_IDEAS: (Skill.RHETORICAL_SYNTHESIS, Skill.TRANSITIONS),
    Domain.CONVENTIONS: (Skill.BOUNDARIES, Skill.FORM_STRUCTURE_SENSE),
}

SECTION_OF_DOMAIN: dict[Domain, Section] = {
    domain: section for section, domains in DOMAINS_BY_SECTION.items() for domain in domains
}
DOMAIN_OF_SKILL: dict[Skill, Domain] = {
    skill: domain for domain, skills in SKILLS_BY_DOMAIN.items() for skill in skills
}


def taxonomy_errors(section: str, domain: str, skill: str) -> dict[str, str]:
    """Return field errors when the skill is not in the domain or the domain not in the section."""
    errors: dict[str, str] = {}
    if (
        section in Section.values
        and domain in Domain.values
        and SECTION_OF_DOMAIN[Domain(domain)] != section
    ):
        errors["domain"] = f"{Domain(domain).label} is not a domain of {Section(section).label}."
    if skill in Skill.values and DOMAIN_OF_SKILL[Skill(skill)] != domain:
        errors["skill"] = (
            f"{Skill(skill).label} belongs to {DOMAIN_OF_SKILL[Skill(skill)].label}, "
            f"not {Domain(domain).label if domain in Domain.values else domain!r}."
        )
    return errors
