"""Names, companies and ticket texts in English and Finnish for the demo data."""

FIRST_FI = ["Aino", "Eino", "Helmi", "Väinö", "Aada", "Onni", "Emilia", "Leevi", "Sofia",
            "Elias", "Pihla", "Veeti", "Iida", "Lauri", "Kerttu", "Juho", "Venla", "Mikko",
            "Saara", "Tuomas", "Hanna", "Matti", "Liisa", "Pekka", "Riikka", "Antti", "Noora",
            "Jussi", "Katja", "Ville", "Minna", "Sami", "Outi", "Heikki", "Tiina", "Jari"]
LAST_FI = ["Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
           "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen",
           "Heinonen", "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen",
           "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen"]
FIRST_INTL = ["Anna", "James", "Maria", "Lucas", "Emma", "Noah", "Olivia", "Liam", "Sara",
              "Ahmed", "Fatima", "Wei", "Mei", "Ivan", "Olga", "Pedro", "Lucia", "Erik",
              "Ingrid", "Lars", "Astrid", "Hiroshi", "Yuki", "Priya", "Arjun", "Chloé",
              "Mateo", "Zainab", "Tomasz", "Kasia"]
LAST_INTL = ["Smith", "Johansson", "Andersson", "García", "Müller", "Rossi", "Nowak", "Kim",
             "Nguyen", "Chen", "Ivanova", "Silva", "Dubois", "Hansen", "Larsen", "Tanaka",
             "Patel", "Khan", "O'Brien", "Jensen", "Eriksson", "Kowalski", "Fernández"]

ORG_PREFIXES = ["Kivi", "Revontuli", "Saimaa", "Pohjola", "Aalto", "Kallio", "Järvi", "Metsä",
                "Tunturi", "Lumi", "Nordic", "Baltic", "Arctic", "Helios", "Vega", "Orion",
                "Atlas", "Borealis", "Sisu", "Kaleva", "Polar", "Fjord", "Aurora", "Tähti"]
ORG_SUFFIXES = ["Logistics", "Solutions", "Foods", "Energy", "Health", "Media", "Retail",
                "Analytics", "Design", "Rakennus", "Kuljetus", "Systems", "Labs", "Finance",
                "Travel", "Games", "Pharma", "Metals", "Telecom", "Education"]
ORG_FORMS = ["Oy", "Oyj", "Ab", "Ltd", "GmbH", "AS", "Inc."]
PERSONAL_DOMAINS = ["mail.example", "posti.example", "inbox.example", "koti.example"]

TEAMS = ["Support", "Billing", "Technical", "Onboarding", "Enterprise", "Nordic"]

# Topic → (team, tags, English subjects, Finnish subjects). "{x}" is filled with an item.
TOPICS = {
    "billing": ("Billing", ["billing", "invoice", "refund", "payment"], [
        "Invoice {x} charged twice", "Question about invoice {x}", "Refund for order {x}",
        "Wrong VAT on invoice {x}", "Cannot update credit card", "Change billing address",
        "Payment failed for subscription", "Please send receipt for {x}",
    ], [
        "Lasku {x} veloitettu kahdesti", "Kysymys laskusta {x}", "Hyvitys tilauksesta {x}",
        "Väärä ALV laskulla {x}", "Luottokortin päivitys ei onnistu", "Laskutusosoitteen muutos",
        "Tilauksen maksu epäonnistui", "Kuitti tilauksesta {x}",
    ]),
    "technical": ("Technical", ["bug", "api", "integration", "outage", "performance"], [
        "Error 500 when saving {x}", "API returns 401 for {x}", "Sync with {x} stopped",
        "App crashes on startup", "Export to CSV is empty", "Webhook to {x} not firing",
        "Very slow dashboard since update", "Login loop after password reset",
    ], [
        "Virhe 500 tallennettaessa {x}", "API palauttaa 401: {x}", "Synkronointi {x} pysähtyi",
        "Sovellus kaatuu käynnistyessä", "CSV-vienti on tyhjä", "Webhook {x} ei laukea",
        "Hallintapaneeli hidas päivityksen jälkeen", "Kirjautuminen jumittaa salasanan vaihdon jälkeen",
    ]),
    "onboarding": ("Onboarding", ["onboarding", "training", "setup"], [
        "Help setting up {x}", "How do I invite my team?", "Importing data from {x}",
        "Training session for new users", "Where do I find the setup guide?",
    ], [
        "Apua {x} käyttöönottoon", "Miten kutsun tiimini?", "Tietojen tuonti: {x}",
        "Koulutus uusille käyttäjille", "Mistä löydän asennusohjeen?",
    ]),
    "account": ("Support", ["account", "password", "gdpr", "how-to"], [
        "Cannot log in", "Please delete my account", "Change the email on my account",
        "How do I reset my password?", "Request for my personal data", "Two-factor code not arriving",
        "Question about {x}", "Feature request: {x}",
    ], [
        "En pääse kirjautumaan", "Poistakaa tilini", "Sähköpostiosoitteen vaihto",
        "Miten vaihdan salasanan?", "Pyyntö henkilötiedoistani", "Kaksivaiheinen koodi ei saavu",
        "Kysymys: {x}", "Toive: {x}",
    ]),
    "delivery": ("Support", ["delivery", "order", "shipping"], [
        "Order {x} has not arrived", "Damaged item in order {x}", "Change delivery address for {x}",
        "Tracking number for {x} does not work",
    ], [
        "Tilaus {x} ei ole saapunut", "Rikkinäinen tuote tilauksessa {x}",
        "Toimitusosoitteen muutos tilaukselle {x}", "Seurantakoodi {x} ei toimi",
    ]),
}
TOPIC_WEIGHTS = {"billing": 22, "technical": 28, "onboarding": 10, "account": 25, "delivery": 15}
ITEMS = ["Salesforce", "Google Sheets", "Slack", "Netvisor", "Procountor", "the mobile app",
         "reports", "user roles", "SSO", "the calendar", "Shopify", "Excel"]

BODIES_EN = [
    "Hi,\n\n{s}. This started yesterday and it is blocking our work. Could you take a look?\n\nThanks,\n{n}",
    "Hello support,\n\n{s}. I already tried logging out and in again. Any ideas?\n\nBest regards,\n{n}",
    "Hi team,\n\nQuick question: {s}. We are on the {t} plan if that matters.\n\n{n}",
    "{s}!! Third time this month. Please fix it.\n\n{n}",
]
BODIES_FI = [
    "Hei,\n\n{s}. Ongelma alkoi eilen ja se haittaa työtämme. Voisitteko katsoa?\n\nKiitos,\n{n}",
    "Moi,\n\n{s}. Kokeilin jo kirjautua ulos ja uudelleen sisään. Onko ideoita?\n\nTerveisin,\n{n}",
    "Hei tuki,\n\nLyhyt kysymys: {s}. Meillä on {t}-paketti.\n\n{n}",
]
REPLIES_EN = [
    "Hi {c},\n\nThanks for reaching out. I have looked into this and {fix}.\n\nBest regards,\n{a}",
    "Hello {c},\n\nSorry for the trouble! {fix_cap}. Let me know if anything else comes up.\n\n{a}",
    "Hi {c},\n\nCould you send a screenshot of what you see? Then I can check it further.\n\n{a}",
]
REPLIES_FI = [
    "Hei {c},\n\nKiitos yhteydenotosta. Selvitin asian ja {fix}.\n\nYstävällisin terveisin,\n{a}",
    "Moi {c},\n\nPahoittelut vaivasta! Korjasimme asian. Kerro, jos jotain muuta ilmenee.\n\n{a}",
    "Hei {c},\n\nVoisitko lähettää kuvakaappauksen? Tutkin asiaa sitten lisää.\n\n{a}",
]
FIXES = ["the issue is now fixed on our side", "I have refunded the duplicate charge",
         "the setting was changed for your account", "a fix will be in next week's release",
         "I reset the integration and it syncs again"]
FOLLOWUPS_EN = ["Thanks, but it still does not work.", "Here is the screenshot you asked for.",
                "It happened again this morning.", "Thank you, that helped!"]
FOLLOWUPS_FI = ["Kiitos, mutta ei toimi vieläkään.", "Tässä pyytämänne kuvakaappaus.",
                "Sama tapahtui taas aamulla.", "Kiitos, tämä auttoi!"]
NOTES = ["Checked logs: see related incident.", "Escalating to second line.",
         "Customer is on an old client version.", "Refund approved by billing lead.",
         "Tarkistettu lokit, liittyy häiriöön.", "Asiakkaalle soitettu, ei vastannut."]
COMMENTS_GOOD = ["Fast and friendly, thanks!", "Great service.", "Nopea ja ystävällinen palvelu!",
                 "Problem solved on the first try.", "Kiitos avusta!"]
COMMENTS_BAD = ["Took far too long to get an answer.", "Still not fixed.",
                "I had to explain the same thing three times.", "Vastaus tuli liian hitaasti.",
                "Ei ratkaissut ongelmaani."]
