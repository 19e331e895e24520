"""Writes the instrument kit (the demo uses these very files, its localities filled in): the XLSForms a community diagnostic of migration and protection
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
MSG_FR, MSG_EN = "constraint_message::Français (fr)", "constraint_message::English (en)"

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


def q(type_, name, fr, en, relevant=ASKED, constraint="", required="yes", pii="", hint=("", ""), message=("", "")):
    """A survey row: type, name, labels, relevance, constraint, required, personal, hints, and
    the constraint's message."""
    return (type_, name, fr, en, relevant, constraint, required, pii, hint, message)


def write(file, title, form_id, survey, choices):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    headers = ["type", "name", FR, EN, "relevant", "constraint", MSG_FR, MSG_EN, "required", "sigida_pii", HINT_FR, HINT_EN]
    sheet.append(headers)
    for row in META + survey:
        type_, name, fr, en, relevant, constraint, required, pii, hint = row[:9]
        message = row[9] if len(row) > 9 else ("", "")
        hint = hint if isinstance(hint, tuple) else ("", "")
        sheet.append([type_, name, fr, en, relevant, constraint, message[0], message[1], required, pii, hint[0], hint[1]])
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
    """The household survey: who answers, the household, migration, documents, remittances,
    protection risks, income. A cluster and a design weight (added after sampling) let Sigida
    estimate with the design, as R survey does."""
    yes = "${consent} = 'yes'"
    survey = [
        q("select_one yes_no", "consent", "La personne accepte-t-elle de répondre (but expliqué, participation libre, réponses anonymes) ?", "Does the person agree to answer (purpose explained, free participation, anonymous answers)?", relevant=""),
        q("select_one localite", "locality", "Localité", "Locality", relevant=yes),
        q("text", "cluster_id", "Grappe (îlot ou village)", "Cluster", relevant=yes),
        q("decimal", "weight", "Poids de sondage (ajouté après le tirage)", "Design weight (added after sampling)", relevant=yes, constraint=". > 0", required=""),
        q("select_one sexe", "resp_sex", "Sexe du répondant", "Respondent's sex", relevant=yes),
        q("integer", "resp_age", "Âge du répondant", "Respondent's age", relevant=yes, constraint=". >= 15 and . <= 99", message=("Entre 15 et 99 ans", "Between 15 and 99")),
        q("select_one tranche_age", "resp_age_group", "Tranche d'âge du répondant", "Respondent's age group", relevant=yes),
        q("integer", "hh_size", "Taille du ménage", "Household size", relevant=yes, constraint=". >= 1 and . <= 40", message=("Entre 1 et 40 personnes", "Between 1 and 40 people")),
        q("select_one statut", "status", "Statut du ménage", "Household status", relevant=yes),
        q("select_one yes_no", "member_abroad", "Un membre vit-il à l'étranger ?", "Does a member live abroad?", relevant=yes, required=""),
        q("select_one yes_no", "intends_to_migrate", "Le répondant envisage-t-il de partir ?", "Does the respondent intend to leave?", relevant=yes, required=""),
        q("select_one yes_no", "has_id_document", "Le répondant a-t-il une pièce d'identité ?", "Does the respondent hold an ID document?", relevant=yes, required=""),
        q("select_one yes_no", "receives_remittances", "Le ménage reçoit-il des transferts ?", "Does the household receive remittances?", relevant=yes, required=""),
        q("select_multiple risques", "protection_concerns", "Risques de protection cités", "Protection risks mentioned", relevant=yes, required="", constraint="not(selected(., 'none') and count-selected(.) > 1)", message=("« Aucun » ne va pas avec un autre risque", "“None” does not go with another risk")),
        q("integer", "monthly_income_fcfa", "Revenu mensuel du ménage (FCFA)", "Monthly household income (FCFA)", relevant=yes, required="", constraint=". >= 0"),
    ]
    choices = LOCALITIES + [
        ("yes_no", "yes", "Oui", "Yes"),
        ("yes_no", "no", "Non", "No"),
        ("sexe", "female", "Femme", "Female"),
        ("sexe", "male", "Homme", "Male"),
        ("tranche_age", "15_24", "15 à 24 ans", "15 to 24"),
        ("tranche_age", "25_34", "25 à 34 ans", "25 to 34"),
        ("tranche_age", "35_49", "35 à 49 ans", "35 to 49"),
        ("tranche_age", "50_plus", "50 ans et plus", "50 and over"),
        ("statut", "host", "Communauté hôte", "Host community"),
        ("statut", "migrant", "Migrant", "Migrant"),
        ("statut", "returnee", "Rapatrié", "Returnee"),
        ("statut", "displaced", "Déplacé interne", "Internally displaced"),
        ("risques", "extortion", "Extorsion sur la route", "Extortion on the route"),
        ("risques", "forced_labour", "Travail forcé", "Forced labour"),
        ("risques", "armed_recruitment", "Recrutement par des groupes armés", "Recruitment by armed groups"),
        ("risques", "gbv", "Violences basées sur le genre", "Gender-based violence"),
        ("risques", "child_labour", "Travail des enfants", "Child labour"),
        ("risques", "none", "Aucun", "None"),
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
    """The survey of travellers at the monitoring points: who they are, why and where they go,
    the stops of their route, what they met on the way and what they need now."""
    yes = "${consent} = 'yes'"
    survey = [
        q("select_one yes_no", "consent", "La personne accepte-t-elle de répondre (but expliqué, participation libre, réponses anonymes) ?", "Does the person agree to answer (purpose explained, free participation, anonymous answers)?", relevant=""),
        q("select_one localite", "point_locality", "Localité du point de suivi", "Locality of the monitoring point", relevant=yes),
        q("select_one sexe", "sex", "Sexe", "Sex", relevant=yes),
        q("select_one age", "age_group", "Tranche d'âge", "Age group", relevant=yes),
        q("select_one raison", "reason", "Raison principale du voyage", "Main reason for travelling", relevant=yes),
        q("select_one destination", "intended_destination", "Destination envisagée", "Intended destination", relevant=yes),
        q("select_one lieu", "route_1", "Itinéraire : 1re étape", "Route: 1st stop", relevant=yes, required="yes"),
        q("select_one lieu", "route_2", "Itinéraire : 2e étape", "Route: 2nd stop", relevant=yes, required="yes"),
        q("select_one lieu", "route_3", "Itinéraire : 3e étape", "Route: 3rd stop", relevant=yes, required=""),
        q("select_one lieu", "route_4", "Itinéraire : 4e étape", "Route: 4th stop", relevant=yes, required=""),
        q("select_one lieu", "route_5", "Itinéraire : 5e étape", "Route: 5th stop", relevant=yes, required=""),
        q("select_one lieu", "route_6", "Itinéraire : 6e étape", "Route: 6th stop", relevant=yes, required=""),
        q("select_multiple difficulte", "difficulties", "Difficultés rencontrées en route", "Difficulties met on the way", relevant=yes),
        q("select_multiple besoin", "needs", "Besoins prioritaires", "Priority needs", relevant=yes),
    ]
    places = [
        ("lieu", 'bamako', 'Bamako', 'Bamako'),
        ("lieu", 'kayes', 'Kayes', 'Kayes'),
        ("lieu", 'diboli', 'Diboli', 'Diboli'),
        ("lieu", 'kidira', 'Kidira (Sénégal)', 'Kidira (Senegal)'),
        ("lieu", 'tambacounda', 'Tambacounda (Sénégal)', 'Tambacounda (Senegal)'),
        ("lieu", 'dakar', 'Dakar (Sénégal)', 'Dakar (Senegal)'),
        ("lieu", 'nioro', 'Nioro du Sahel', 'Nioro du Sahel'),
        ("lieu", 'nouakchott', 'Nouakchott (Mauritanie)', 'Nouakchott (Mauritania)'),
        ("lieu", 'kenieba', "Kéniéba (sites d'orpaillage)", 'Kéniéba (gold mining sites)'),
        ("lieu", 'sevare', 'Sévaré', 'Sévaré'),
        ("lieu", 'gao', 'Gao', 'Gao'),
        ("lieu", 'bourem', 'Bourem', 'Bourem'),
        ("lieu", 'kidal', 'Kidal', 'Kidal'),
        ("lieu", 'tessalit', 'Tessalit', 'Tessalit'),
        ("lieu", 'bordj', 'Bordj Badji Mokhtar (Algérie)', 'Bordj Badji Mokhtar (Algeria)'),
        ("lieu", 'tamanrasset', 'Tamanrasset (Algérie)', 'Tamanrasset (Algeria)'),
        ("lieu", 'ansongo', 'Ansongo', 'Ansongo'),
        ("lieu", 'labbezanga', 'Labbezanga (frontière du Niger)', 'Labbezanga (Niger border)'),
        ("lieu", 'niamey', 'Niamey (Niger)', 'Niamey (Niger)'),
        ("lieu", 'agadez', 'Agadez (Niger)', 'Agadez (Niger)'),
        ("lieu", 'menaka', 'Ménaka', 'Ménaka'),
        ("lieu", 'intahaka', "Intahaka (site d'orpaillage)", 'Intahaka (gold mining site)'),
    ]
    choices = LOCALITIES + [("yes_no", "yes", "Oui", "Yes"), ("yes_no", "no", "Non", "No")] + places + [
        ('sexe', 'female', 'Femme', 'Female'),
        ('sexe', 'male', 'Homme', 'Male'),
        ('age', 'under_18', 'Moins de 18 ans', 'Under 18'),
        ('age', '18_24', '18 à 24 ans', '18 to 24'),
        ('age', '25_34', '25 à 34 ans', '25 to 34'),
        ('age', '35_plus', '35 ans et plus', '35 and over'),
        ('raison', 'economic', 'Raisons économiques, travail', 'Economic reasons, work'),
        ('raison', 'family', 'Famille', 'Family'),
        ('raison', 'seasonal_work', 'Travail saisonnier', 'Seasonal work'),
        ('raison', 'trade', 'Commerce', 'Trade'),
        ('raison', 'gold_mining', 'Orpaillage', 'Gold mining'),
        ('raison', 'studies', 'Études', 'Studies'),
        ('raison', 'conflict', 'Conflit, insécurité', 'Conflict, insecurity'),
        ('raison', 'return', 'Retour au pays', 'Going home'),
        ('destination', 'dakar', 'Dakar', 'Dakar'),
        ('destination', 'senegal_other', 'Autre ville du Sénégal', 'Elsewhere in Senegal'),
        ('destination', 'mauritania', 'Mauritanie', 'Mauritania'),
        ('destination', 'europe', 'Europe', 'Europe'),
        ('destination', 'bamako', 'Bamako', 'Bamako'),
        ('destination', 'algeria', 'Algérie', 'Algeria'),
        ('destination', 'niger', 'Niger', 'Niger'),
        ('destination', 'libya', 'Libye', 'Libya'),
        ('destination', 'gold_sites', "Sites d'orpaillage", 'Gold mining sites'),
        ('destination', 'return_home', "Retour dans sa localité d'origine", 'Back to their home town'),
        ('destination', 'stay_here', 'Rester ici', 'Staying here'),
        ('difficulte', 'extortion', 'Extorsion, racket aux postes', 'Extortion at checkpoints'),
        ('difficulte', 'theft', 'Vol', 'Theft'),
        ('difficulte', 'violence', 'Violences physiques', 'Physical violence'),
        ('difficulte', 'no_documents', "Pas de papiers d'identité", 'No identity papers'),
        ('difficulte', 'lack_money', "Manque d'argent", 'Lack of money'),
        ('difficulte', 'hunger_thirst', 'Faim, soif', 'Hunger, thirst'),
        ('difficulte', 'detention', 'Détention', 'Detention'),
        ('difficulte', 'none', 'Aucune', 'None'),
        ('besoin', 'food', 'Nourriture', 'Food'),
        ('besoin', 'water', 'Eau', 'Water'),
        ('besoin', 'health', 'Soins de santé', 'Health care'),
        ('besoin', 'shelter', 'Abri', 'Shelter'),
        ('besoin', 'information', 'Information sur la route et les risques', 'Information on the route and its risks'),
        ('besoin', 'documentation', "Papiers d'identité", 'Identity papers'),
        ('besoin', 'transport', 'Transport', 'Transport'),
        ('besoin', 'money', 'Argent', 'Money'),
        ('besoin', 'none', 'Aucun', 'None'),
    ]
    write("enquete-voyageurs.xlsx", "Enquête auprès des voyageurs aux points de suivi", "sigida_voyageurs", survey, choices)


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
