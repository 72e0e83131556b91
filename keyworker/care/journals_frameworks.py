"""The areas of learning a setting's observations are tagged with, held as data per jurisdiction (CC-K4).

England: the seven areas of learning of the EYFS statutory framework. Scotland: the curriculum areas of Curriculum
for Excellence at the early level, with the GIRFEC wellbeing indicators (SHANARRI) beside them. Wales: the six areas
of learning and experience of the Curriculum for Wales. Northern Ireland: the areas of the Curricular Guidance for
Pre-School Education. Schemas are the common repeated patterns of play practitioners look for.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    code: str  # stored on observations: never renamed, so old observations keep their meaning
    label: str


@dataclass(frozen=True)
class Framework:
    code: str
    label: str
    areas: tuple[Area, ...]
    wellbeing: tuple[Area, ...] = ()  # a second vocabulary shown beside the areas (Scotland's SHANARRI)
    wellbeing_label: str = ""

    @property
    def all_areas(self) -> tuple[Area, ...]:
        return self.areas + self.wellbeing

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(a.code for a in self.all_areas)

    def label_of(self, code: str) -> str:
        return next((a.label for a in self.all_areas if a.code == code), code)


EYFS = Framework("eyfs", "EYFS areas of learning", (
    Area("eyfs.cl", "Communication and language"),
    Area("eyfs.pd", "Physical development"),
    Area("eyfs.psed", "Personal, social and emotional development"),
    Area("eyfs.lit", "Literacy"),
    Area("eyfs.maths", "Mathematics"),
    Area("eyfs.utw", "Understanding the world"),
    Area("eyfs.ead", "Expressive arts and design"),
))

SHANARRI = (
    Area("shanarri.safe", "Safe"),
    Area("shanarri.healthy", "Healthy"),
    Area("shanarri.achieving", "Achieving"),
    Area("shanarri.nurtured", "Nurtured"),
    Area("shanarri.active", "Active"),
    Area("shanarri.respected", "Respected"),
    Area("shanarri.responsible", "Responsible"),
    Area("shanarri.included", "Included"),
)

CFE_EARLY = Framework("cfe_early", "Curriculum for Excellence (early level)", (
    Area("cfe.expressive_arts", "Expressive arts"),
    Area("cfe.health_wellbeing", "Health and wellbeing"),
    Area("cfe.literacy", "Literacy and English"),
    Area("cfe.numeracy", "Numeracy and mathematics"),
    Area("cfe.rme", "Religious and moral education"),
    Area("cfe.sciences", "Sciences"),
    Area("cfe.social_studies", "Social studies"),
    Area("cfe.technologies", "Technologies"),
), wellbeing=SHANARRI, wellbeing_label="Wellbeing indicators (SHANARRI)")

CFW = Framework("cfw", "Curriculum for Wales areas of learning and experience", (
    Area("cfw.expressive_arts", "Expressive arts"),
    Area("cfw.health_wellbeing", "Health and well-being"),
    Area("cfw.humanities", "Humanities"),
    Area("cfw.languages", "Languages, literacy and communication"),
    Area("cfw.maths", "Mathematics and numeracy"),
    Area("cfw.science_tech", "Science and technology"),
))

NI_PRESCHOOL = Framework("ni_preschool", "Curricular Guidance for Pre-School Education", (
    Area("ni.arts", "The arts"),
    Area("ni.language", "Language development"),
    Area("ni.maths", "Early mathematical experiences"),
    Area("ni.psed", "Personal, social and emotional development"),
    Area("ni.physical", "Physical development and movement"),
    Area("ni.world", "The world around us"),
))

BY_JURISDICTION = {"england": EYFS, "scotland": CFE_EARLY, "wales": CFW, "northern_ireland": NI_PRESCHOOL}
FRAMEWORKS = {f.code: f for f in (EYFS, CFE_EARLY, CFW, NI_PRESCHOOL)}

SCHEMAS = (
    ("trajectory", "Trajectory"),
    ("rotation", "Rotation"),
    ("enclosing", "Enclosing"),
    ("enveloping", "Enveloping"),
    ("transporting", "Transporting"),
    ("connecting", "Connecting"),
    ("positioning", "Positioning"),
    ("transforming", "Transforming"),
    ("orientation", "Orientation"),
)
SCHEMA_LABELS = dict(SCHEMAS)


def framework_for(jurisdiction: str) -> Framework:
    """The framework of a setting's jurisdiction (England's EYFS for a jurisdiction not listed)."""
    return BY_JURISDICTION.get(jurisdiction, EYFS)


def area_label(code: str) -> str:
    for framework in FRAMEWORKS.values():
        if code in framework.codes:
            return framework.label_of(code)
    return code
