"""Writes the instrument kit: the XLSForms a community diagnostic of migration and protection
uses, French first with English, ready to load into KoboToolbox or ODK Central.

    python3 kit/build.py        # rewrites kit/*.xlsx from the tables below

The XLSX files are what people use and what the tests convert with pyxform; this script is
how they are kept: change a table here, run it, commit both. Columns follow the XLSForm
standard; `sigida_pii` marks personal data (names, phones) for Sigida, which encrypts,
redacts and leaves them out of exports; Kobo and ODK ignore it.

Each form's `localite` list holds two example places: replace them with the diagnostic's
localities (their short names as Sigida shows them), or map the answers on the instrument's
page in Sigida (Localités des réponses).
"""

import pathlib

import openpyxl
from openpyxl.styles import Font

HERE = pathlib.Path(__file__).parent
FR, EN = "label::Français (fr)", "label::English (en)"
HINT_FR, HINT_EN = "hint::Français (fr)", "hint::English (en)"

YES_NO = [("oui_non", "oui", "Oui", "Yes"), ("oui_non", "non", "Non", "No")]
LOCALITIES = [
    ("localite", "exemple_1", "Localité 1 (à remplacer)", "Locality 1 (to replace)"),
    ("localite", "exemple_2", "Localité 2 (à remplacer)", "Locality 2 (to replace)"),
]
SEX = [("sexe", "f", "Femme", "Female"), ("sexe", "m", "Homme", "Male")]
CONSENT = [
    ("begin_group", "consentement", "Consentement", "Consent", "", "", "", "", ""),
    (
        "note",
        "lecture_consentement",
        "Lisez le texte de consentement : but de l'entretien, participation libre, réponses anonymes, droit d'arrêter à tout moment.",
        "Read the consent text: purpose of the interview, free participation, anonymous answers, right to stop at any time.",
        "", "", "", "", "",
    ),
    ("select_one oui_non", "consent", "La personne accepte-t-elle de répondre ?", "Does the person agree to answer?", "", "", "yes", "", ""),
    ("end_group", "", "", "", "", "", "", "", ""),
]
META = [
    ("start", "start", "", "", "", "", "", "", ""),
    ("end", "end", "", "", "", "", "", "", ""),
    ("today", "today", "", "", "", "", "", "", ""),
]
ASKED = "${consent} = 'oui'"


def q(type_, name, fr, en, relevant=ASKED, constraint="", required="yes", pii="", hint=("", "")):
    """A survey row: type, name, labels, relevance, constraint, required, personal, hints."""
    return (type_, name, fr, en, relevant, constraint, required, pii, hint)


def write(file, title, form_id, survey, choices):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    headers = ["type", "name", FR, EN, "relevant", "constraint", "required", "sigida_pii", HINT_FR, HINT_EN]
    sheet.append(headers)
    for row in META + survey:
        type_, name, fr, en, relevant, constraint, required, pii, hint = row
        hint = hint if isinstance(hint, tuple) else ("", "")
        sheet.append([type_, name, fr, en, relevant, constraint, required, pii, hint[0], hint[1]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    lists = book.create_sheet("choices")
    lists.append(["list_name", "name", FR, EN])
    for row in choices:
        lists.append(list(row))
    for cell in lists[1]:
        cell.font = Font(bold=True)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([title, form_id, "2026120301", "Français (fr)"])
    book.save(HERE / file)


def household():
    survey = CONSENT + [
        q("select_one localite", "localite", "Localité de l'entretien", "Locality of the interview"),
        q("begin_group", "menage", "Le ménage", "The household", required=""),
        q("integer", "hh_size", "Combien de personnes vivent dans le ménage ?", "How many people live in the household?", constraint=". >= 1 and . <= 40"),
        q("select_one sexe", "hoh_sexe", "Sexe du chef de ménage", "Sex of the head of household"),
        q("integer", "hoh_age", "Âge du chef de ménage", "Age of the head of household", constraint=". >= 12 and . <= 110"),
        q("select_one statut", "statut", "Statut du ménage", "Household status"),
        q("end_group", "", "", "", relevant="", required=""),
        q("begin_group", "migration", "Migration", "Migration", required=""),
        q("select_one oui_non", "membre_parti", "Un membre est-il parti vivre ailleurs depuis un an ?", "Has a member left to live elsewhere in the last year?"),
        q("integer", "nb_partis", "Combien de membres sont partis ?", "How many members left?", relevant="${membre_parti} = 'oui'", constraint=". >= 1 and . < ${hh_size} + 10"),
        q("select_multiple destination", "destinations", "Vers où sont-ils partis ?", "Where did they go?", relevant="${membre_parti} = 'oui'"),
        q("select_one oui_non", "envois", "Le ménage reçoit-il de l'argent d'un membre parti ?", "Does the household receive money from a member who left?"),
        q("select_one oui_non", "intention_depart", "Un membre envisage-t-il de partir dans les six mois ?", "Does a member plan to leave in the next six months?"),
        q("end_group", "", "", "", relevant="", required=""),
        q("begin_group", "protection", "Protection et sécurité", "Protection and security", required=""),
        q("select_multiple risque", "risques", "Quels risques les personnes de la localité rencontrent-elles ?", "Which risks do people of the locality face?"),
        q("select_one oui_non", "documents", "Tous les membres ont-ils un acte de naissance ou une pièce d'identité ?", "Do all members have a birth certificate or an identity document?"),
        q("select_one oui_non", "securite_nuit", "Vous sentez-vous en sécurité dans la localité la nuit ?", "Do you feel safe in the locality at night?"),
        q("end_group", "", "", "", relevant="", required=""),
        q("begin_group", "services", "Services et besoins", "Services and needs", required=""),
        q("select_multiple besoin", "besoins", "Quels sont les trois besoins prioritaires du ménage ?", "What are the household's three priority needs?", constraint="count-selected(.) <= 3"),
        q("select_one oui_non", "acces_sante", "Un membre malade a-t-il pu se soigner le mois dernier ?", "Could a sick member get care last month?"),
        q("end_group", "", "", "", relevant="", required=""),
    ]
    choices = YES_NO + LOCALITIES + SEX + [
        ("statut", "hote", "Communauté hôte", "Host community"),
        ("statut", "rapatrie", "Rapatrié", "Returnee"),
        ("statut", "deplace", "Déplacé interne", "Internally displaced"),
        ("statut", "migrant", "Migrant en transit", "Migrant in transit"),
        ("destination", "meme_pays", "Ailleurs au Mali", "Elsewhere in Mali"),
        ("destination", "afrique_ouest", "Afrique de l'Ouest", "West Africa"),
        ("destination", "maghreb", "Algérie, Maroc, Libye", "Algeria, Morocco, Libya"),
        ("destination", "europe", "Europe", "Europe"),
        ("destination", "autre", "Autre", "Other"),
        ("risque", "traite", "Traite ou exploitation", "Trafficking or exploitation"),
        ("risque", "vbg", "Violences basées sur le genre", "Gender-based violence"),
        ("risque", "enfants", "Enfants non accompagnés", "Unaccompanied children"),
        ("risque", "extorsion", "Extorsion sur les routes", "Extortion on the roads"),
        ("risque", "documentation", "Manque de documents", "Lack of documents"),
        ("risque", "aucun", "Aucun", "None"),
        ("besoin", "eau", "Eau", "Water"),
        ("besoin", "vivres", "Vivres", "Food"),
        ("besoin", "abri", "Abri", "Shelter"),
        ("besoin", "sante", "Santé", "Health"),
        ("besoin", "emploi", "Emploi, moyens de subsistance", "Jobs, livelihoods"),
        ("besoin", "documents", "Documents", "Documents"),
        ("besoin", "education", "Éducation", "Education"),
    ]
    write("enquete-menage.xlsx", "Enquête ménage — migration et protection", "sigida_menage", survey, choices)


def guide(file, title, form_id, themes, kind_fr, kind_en):
    """A guide for a key informant or a focus group: who, where, then one open question a theme."""
    survey = CONSENT + [
        q("select_one localite", "localite", "Localité", "Locality"),
        q("text", "code_note", "Référence de la note (ex. KII-GAO-04)", "Reference of the note (e.g. KII-GAO-04)"),
        q("select_one profil", "profil", kind_fr, kind_en),
        q("select_one sexe_groupe", "sexe", "Sexe des participants", "Sex of the participants"),
    ]
    for name, fr, en in themes:
        survey.append(q("text", name, fr, en, required="", hint=("Notez les mots des participants, sans nom.", "Write the participants' words, without names.")))
    choices = YES_NO + LOCALITIES + [
        ("sexe_groupe", "femmes", "Femmes", "Women"),
        ("sexe_groupe", "hommes", "Hommes", "Men"),
        ("sexe_groupe", "mixte", "Mixte", "Mixed"),
        ("profil", "autorite", "Autorité locale ou traditionnelle", "Local or traditional authority"),
        ("profil", "association", "Association (jeunes, femmes, rapatriés)", "Association (youth, women, returnees)"),
        ("profil", "service", "Prestataire de services", "Service provider"),
        ("profil", "migrants", "Migrants ou rapatriés", "Migrants or returnees"),
        ("profil", "autre", "Autre", "Other"),
    ]
    write(file, title, form_id, survey, choices)


THEMES = [
    ("tendances", "Comment les départs, les passages et les retours ont-ils évolué depuis trois ans ?", "How have departures, transit and returns changed over three years?"),
    ("routes", "Par où passent les personnes, et avec qui voyagent-elles ?", "Which routes do people take, and with whom do they travel?"),
    ("risques", "Quels dangers les personnes rencontrent-elles ici et sur la route ?", "Which dangers do people face here and on the road?"),
    ("groupes", "Quels groupes sont les plus exposés, et pourquoi ?", "Which groups are most exposed, and why?"),
    ("services", "Quels services existent, qui y a accès, que manque-t-il ?", "Which services exist, who can use them, what is missing?"),
    ("opportunites", "Quelles opportunités (emploi, associations, solidarité) existent ?", "Which opportunities (jobs, associations, solidarity) exist?"),
    ("priorites", "Que faudrait-il faire d'abord, et avec qui ?", "What should be done first, and with whom?"),
]


def flows():
    survey = [
        q("date", "date", "Date du comptage", "Date of the count", relevant=""),
        q("select_one localite", "point", "Point de suivi", "Monitoring point", relevant=""),
        q("select_one direction", "direction", "Sens du déplacement", "Direction of travel", relevant=""),
        q("text", "origine", "Origine", "Origin", relevant=""),
        q("text", "destination", "Destination", "Destination", relevant=""),
        q("integer", "hommes", "Hommes", "Men", relevant="", constraint=". >= 0"),
        q("integer", "femmes", "Femmes", "Women", relevant="", constraint=". >= 0"),
        q("integer", "garcons", "Garçons", "Boys", relevant="", constraint=". >= 0"),
        q("integer", "filles", "Filles", "Girls", relevant="", constraint=". >= 0"),
        q("integer", "enfants_non_accompagnes", "Enfants non accompagnés", "Unaccompanied children", relevant="", constraint=". >= 0 and . <= ${garcons} + ${filles}"),
        q("integer", "vulnerables", "Personnes vulnérables", "Vulnerable people", relevant="", constraint=". >= 0"),
        q("select_one transport", "transport", "Moyen de transport", "Means of transport", relevant=""),
    ]
    choices = LOCALITIES + [
        ("direction", "entrant", "Entrant", "Incoming"),
        ("direction", "sortant", "Sortant", "Outgoing"),
        ("direction", "interne", "Interne", "Internal"),
        ("transport", "bus", "Bus", "Bus"),
        ("transport", "camion", "Camion", "Truck"),
        ("transport", "moto", "Moto", "Motorbike"),
        ("transport", "train", "Train", "Train"),
        ("transport", "pied", "À pied", "On foot"),
    ]
    write("registre-flux.xlsx", "Registre de suivi des flux", "sigida_flux", survey, choices)


def travellers():
    survey = CONSENT + [
        q("select_one localite", "point_locality", "Point de suivi", "Monitoring point"),
        q("select_one sexe", "sex", "Sexe", "Sex"),
        q("select_one age", "age_group", "Âge", "Age"),
        q("select_one raison", "reason", "Raison principale du voyage", "Main reason for travelling"),
        q("text", "intended_destination", "Destination prévue", "Intended destination"),
        q("select_multiple difficulte", "difficulties", "Difficultés rencontrées sur la route", "Difficulties met on the road"),
        q("select_multiple besoin", "needs", "Besoins immédiats", "Immediate needs"),
    ]
    choices = YES_NO + LOCALITIES + SEX + [
        ("age", "moins_18", "Moins de 18 ans", "Under 18"),
        ("age", "18_35", "18 à 35 ans", "18 to 35"),
        ("age", "plus_35", "Plus de 35 ans", "Over 35"),
        ("raison", "economie", "Raisons économiques, travail", "Economic reasons, work"),
        ("raison", "famille", "Famille", "Family"),
        ("raison", "securite", "Insécurité", "Insecurity"),
        ("raison", "retour", "Retour chez soi", "Going back home"),
        ("raison", "autre", "Autre", "Other"),
        ("difficulte", "extorsion", "Extorsion", "Extortion"),
        ("difficulte", "violence", "Violence", "Violence"),
        ("difficulte", "vol", "Vol", "Theft"),
        ("difficulte", "faim", "Faim, soif", "Hunger, thirst"),
        ("difficulte", "aucune", "Aucune", "None"),
        ("besoin", "eau", "Eau", "Water"),
        ("besoin", "vivres", "Vivres", "Food"),
        ("besoin", "soins", "Soins", "Health care"),
        ("besoin", "abri", "Abri", "Shelter"),
        ("besoin", "information", "Information", "Information"),
    ]
    write("enquete-voyageurs.xlsx", "Enquête auprès des voyageurs", "sigida_voyageurs", survey, choices)


def services():
    survey = [
        q("select_one localite", "localite", "Localité", "Locality", relevant=""),
        q("text", "organisation", "Organisation", "Organisation", relevant=""),
        q("select_one secteur", "secteur", "Secteur", "Sector", relevant=""),
        q("text", "service", "Service offert", "Service offered", relevant=""),
        q("text", "pour_qui", "Pour qui", "For whom", relevant="", required=""),
        q("integer", "capacite_par_mois", "Personnes servies par mois", "People served per month", relevant="", constraint=". >= 0", required=""),
        q("select_one oui_non", "gratuit", "Le service est-il gratuit ?", "Is the service free?", relevant=""),
        q("text", "horaires", "Horaires", "Opening hours", relevant="", required=""),
        q("select_one oui_non", "accepte_references", "Accepte-t-il les personnes référées ?", "Does it accept referred people?", relevant=""),
        q("text", "contact_telephone", "Téléphone de contact", "Contact phone", relevant="", required="", pii="yes"),
        q("geopoint", "position", "Position", "Location", relevant="", required=""),
    ]
    choices = YES_NO + LOCALITIES + [
        ("secteur", "health", "Santé", "Health"),
        ("secteur", "psychosocial", "Soutien psychosocial", "Psychosocial support"),
        ("secteur", "legal", "Assistance juridique", "Legal aid"),
        ("secteur", "documentation", "Documentation", "Documentation"),
        ("secteur", "shelter", "Hébergement", "Shelter"),
        ("secteur", "food", "Vivres", "Food"),
        ("secteur", "wash", "Eau, hygiène, assainissement", "Water, sanitation, hygiene"),
        ("secteur", "education", "Éducation", "Education"),
        ("secteur", "livelihoods", "Moyens de subsistance", "Livelihoods"),
        ("secteur", "child_protection", "Protection de l'enfance", "Child protection"),
        ("secteur", "gbv", "Violences basées sur le genre", "Gender-based violence"),
        ("secteur", "transport", "Transport", "Transport"),
    ]
    write("cartographie-services.xlsx", "Cartographie des services (4W)", "sigida_services", survey, choices)


def profile():
    survey = [
        q("select_one localite", "localite", "Localité", "Locality", relevant=""),
        q("text", "informateur", "Nom de l'informateur", "Informant's name", relevant="", required="", pii="yes"),
        q("integer", "population", "Population estimée", "Estimated population", relevant="", constraint=". >= 0"),
        q("text", "source_population", "Source de ce chiffre", "Source of that figure", relevant=""),
        q("select_multiple groupe", "groupes", "Groupes présents", "Groups present", relevant=""),
        q("select_multiple infrastructure", "infrastructures", "Infrastructures présentes", "Infrastructure present", relevant=""),
        q("text", "evenements", "Événements marquants des dix dernières années", "Key events of the last ten years", relevant="", required=""),
        q("text", "mecanismes", "Mécanismes communautaires (comités, médiation)", "Community mechanisms (committees, mediation)", relevant="", required=""),
    ]
    choices = LOCALITIES + [
        ("groupe", "women", "Femmes", "Women"),
        ("groupe", "youth", "Jeunes", "Youth"),
        ("groupe", "returnees", "Rapatriés", "Returnees"),
        ("groupe", "migrants_in_transit", "Migrants en transit", "Migrants in transit"),
        ("groupe", "displaced", "Personnes déplacées internes", "Internally displaced people"),
        ("groupe", "gold_miners", "Orpailleurs", "Gold miners"),
        ("groupe", "herders", "Éleveurs", "Herders"),
        ("infrastructure", "ecole", "École", "School"),
        ("infrastructure", "centre_sante", "Centre de santé", "Health centre"),
        ("infrastructure", "forage", "Forage", "Borehole"),
        ("infrastructure", "marche", "Marché", "Market"),
        ("infrastructure", "gare", "Gare routière", "Bus station"),
    ]
    write("profil-communautaire.xlsx", "Profil communautaire", "sigida_profil", survey, choices)


if __name__ == "__main__":
    household()
    guide("guide-informateur-cle.xlsx", "Guide d'entretien avec informateur clé", "sigida_kii", THEMES, "Profil de l'informateur", "Informant's profile")
    guide("guide-groupe-discussion.xlsx", "Guide de discussion de groupe", "sigida_fgd", THEMES, "Groupe rencontré", "Group met")
    flows()
    travellers()
    services()
    profile()
