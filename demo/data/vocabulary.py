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

# Topic → (team, tags, English subjects, Finnish subjects). "{x}" is filled with a product
# or integration (ITEMS), "{o}" with an order or invoice number.
TOPICS = {
    "billing": ("Billing", ["billing", "invoice", "refund", "payment"], [
        "Invoice {o} charged twice", "Question about invoice {o}", "Refund for order {o}",
        "Wrong VAT on invoice {o}", "Cannot update credit card", "Change billing address",
        "Payment failed for subscription", "Please send a receipt for order {o}",
    ], [
        "Lasku {o} veloitettu kahdesti", "Kysymys laskusta {o}", "Hyvitys tilauksesta {o}",
        "Väärä ALV laskulla {o}", "Luottokortin päivitys ei onnistu", "Laskutusosoitteen muutos",
        "Tilauksen maksu epäonnistui", "Kuitti tilauksesta {o}",
    ]),
    "technical": ("Technical", ["bug", "api", "integration", "outage", "performance"], [
        "Error 500 when saving {x} settings", "API returns 401 for {x}", "Sync with {x} stopped",
        "App crashes on startup", "Export to CSV is empty", "Webhook to {x} not firing",
        "Very slow dashboard since update", "Login loop after password reset",
    ], [
        "Virhe 500 tallennettaessa asetuksia: {x}", "API palauttaa 401: {x}", "Synkronointi pysähtyi: {x}",
        "Sovellus kaatuu käynnistyessä", "CSV-vienti on tyhjä", "Webhook ei laukea: {x}",
        "Hallintapaneeli hidas päivityksen jälkeen", "Kirjautuminen jumittaa salasanan vaihdon jälkeen",
    ]),
    "onboarding": ("Onboarding", ["onboarding", "training", "setup"], [
        "Help setting up {x}", "How do I invite my team?", "Importing data from {x}",
        "Training session for new users", "Where do I find the setup guide?",
    ], [
        "Apua käyttöönottoon: {x}", "Miten kutsun tiimini?", "Tietojen tuonti: {x}",
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
        "Order {o} has not arrived", "Damaged item in order {o}", "Change delivery address for order {o}",
        "Tracking number for order {o} does not work",
    ], [
        "Tilaus {o} ei ole saapunut", "Rikkinäinen tuote tilauksessa {o}",
        "Toimitusosoitteen muutos tilaukselle {o}", "Tilauksen {o} seurantakoodi ei toimi",
    ]),
}
TOPIC_WEIGHTS = {"billing": 22, "technical": 28, "onboarding": 10, "account": 25, "delivery": 15}
# (English, Finnish): integrations keep their names, features are translated.
ITEMS = [("Salesforce", "Salesforce"), ("Google Sheets", "Google Sheets"), ("Slack", "Slack"),
         ("Netvisor", "Netvisor"), ("Procountor", "Procountor"), ("the mobile app", "mobiilisovellus"),
         ("reports", "raportit"), ("user roles", "käyttäjäroolit"), ("SSO", "SSO"),
         ("the calendar", "kalenteri"), ("Shopify", "Shopify"), ("Excel", "Excel")]

# The customer's first message: a greeting, the subject as a sentence, the topic's own
# detail (DETAILS), and a sign-off. "{s}" the subject, "{d}" the detail, "{n}" the name.
BODIES_EN = [
    "Hi,\n\n{s}\n{d}\n\nCould you take a look?\n\nThanks,\n{n}",
    "Hello support,\n\n{s}\n{d}\n\nBest regards,\n{n}",
    "Hi team,\n\n{s}\n{d} We are on the {t} plan, if that matters.\n\n{n}",
]
BODIES_FI = [
    "Hei,\n\n{s}\n{d}\n\nVoisitteko katsoa?\n\nKiitos,\n{n}",
    "Moi,\n\n{s}\n{d}\n\nTerveisin,\n{n}",
    "Hei tuki,\n\n{s}\n{d} Meillä on {t}-paketti, jos sillä on väliä.\n\n{n}",
]
# Per topic: (English, Finnish) details of the first message.
DETAILS = {
    "billing": [("Our finance team noticed it when reconciling this month's invoices.",
                 "Taloushallintomme huomasi tämän kuun laskuja täsmäyttäessään."),
                ("We need this sorted before our books close on Friday.",
                 "Tarvitsemme tämän kuntoon ennen perjantain kirjanpidon sulkemista.")],
    "technical": [("It started after yesterday's update and is blocking our work.",
                   "Ongelma alkoi eilisen päivityksen jälkeen ja haittaa työtämme."),
                  ("I already tried logging out and in again, and another browser.",
                   "Kokeilin jo kirjautua ulos ja sisään sekä toista selainta.")],
    "onboarding": [("We are just getting started and want to set it up right.",
                    "Olemme vasta aloittamassa ja haluamme tehdä asetukset oikein."),
                   ("Five new colleagues start next Monday.",
                    "Viisi uutta kollegaa aloittaa ensi maanantaina.")],
    "account": [("I followed the help centre's instructions but got stuck.",
                 "Seurasin ohjekeskuksen ohjeita, mutta jäin jumiin."),
                ("This is for my own user account.", "Kyse on omasta käyttäjätilistäni.")],
    "delivery": [("The order was placed over a week ago.",
                  "Tilaus tehtiin yli viikko sitten."),
                 ("The tracking page has not changed in four days.",
                  "Seurantasivu ei ole päivittynyt neljään päivään.")],
}
# The agent's answer: "{fix}" is the topic's resolution (FIXES) in the reply's language.
REPLIES_EN = [
    "Hi {c},\n\nThanks for reaching out. I have looked into this: {fix}.\n\nBest regards,\n{a}",
    "Hello {c},\n\nSorry for the trouble! {fix_cap}. Let me know if anything else comes up.\n\n{a}",
    "Hi {c},\n\nThank you for your patience. {fix_cap}. I will keep this open for a while in case you have questions.\n\n{a}",
]
REPLIES_FI = [
    "Hei {c},\n\nKiitos yhteydenotosta. Selvitin asian: {fix}.\n\nYstävällisin terveisin,\n{a}",
    "Moi {c},\n\nPahoittelut vaivasta! {fix_cap}. Kerro, jos jotain muuta ilmenee.\n\n{a}",
    "Hei {c},\n\nKiitos kärsivällisyydestä. {fix_cap}. Pidän pyynnön vielä hetken auki, jos sinulla on kysyttävää.\n\n{a}",
]
# Per topic: (English, Finnish) resolutions, lower case (a reply may start a sentence with one).
FIXES = {
    "billing": [("I have refunded the duplicate charge; it shows on your card in 3–5 days",
                 "hyvitin tuplaveloituksen; se näkyy kortillasi 3–5 päivässä"),
                ("the corrected invoice is now in your account under Billing",
                 "korjattu lasku löytyy nyt tililtäsi kohdasta Laskutus")],
    "technical": [("the issue is fixed on our side; please reload the page",
                   "vika on korjattu meidän päässämme; lataa sivu uudelleen"),
                  ("I reset the integration and it syncs again",
                   "nollasin integraation ja synkronointi toimii taas"),
                  ("a fix is in next week's release; until then the workaround in the help centre works",
                   "korjaus tulee ensi viikon versiossa; siihen asti ohjekeskuksen kiertotie toimii")],
    "onboarding": [("I have sent you the setup guide and booked a 30-minute training session",
                    "lähetin asennusohjeen ja varasin 30 minuutin koulutuksen"),
                   ("you can invite colleagues under Settings → Team; I enabled it for your account",
                    "voit kutsua kollegoita kohdasta Asetukset → Tiimi; otin sen käyttöön tilillesi")],
    "account": [("I sent a new sign-in link to your address",
                 "lähetin uuden kirjautumislinkin osoitteeseesi"),
                ("the change is done; you will get a confirmation email",
                 "muutos on tehty; saat vahvistuksen sähköpostiisi")],
    "delivery": [("the parcel was delayed at the depot and arrives tomorrow",
                  "paketti viivästyi terminaalissa ja saapuu huomenna"),
                 ("a replacement is on its way; the new tracking code is in your email",
                  "korvaava tuote on matkalla; uusi seurantakoodi on sähköpostissasi")],
}
# An agent's reply that asks before it can solve (the ticket then waits, pending), and the
# customer's answer, per topic: (English, Finnish) pairs of question and answer.
ASKS = {
    "billing": ("Could you tell me the last four digits of the card that was charged? Then I can find the payment.",
                "Kertoisitko veloitetun kortin neljä viimeistä numeroa? Löydän maksun niiden avulla.",
                "The card ends in 4821.", "Kortin numero päättyy 4821."),
    "technical": ("Could you send a screenshot of what you see and roughly when it happened? Then I can check our logs.",
                  "Voisitko lähettää kuvakaappauksen ja kertoa suunnilleen, milloin tämä tapahtui? Tarkistan sitten lokimme.",
                  "Here is the screenshot. It happened at about 9:40.",
                  "Tässä kuvakaappaus. Se tapahtui noin klo 9.40."),
    "onboarding": ("How many users will you have? Then I can suggest the right setup.",
                   "Montako käyttäjää teillä tulee olemaan? Voin sitten ehdottaa sopivia asetuksia.",
                   "About 25 users to begin with.", "Aluksi noin 25 käyttäjää."),
    "account": ("To protect your account, could you confirm the email address you signed up with?",
                "Tilisi suojaamiseksi: voisitko vahvistaa sähköpostiosoitteen, jolla rekisteröidyit?",
                "I signed up with this same address.", "Rekisteröidyin tällä samalla osoitteella."),
    "delivery": ("Could you confirm the delivery address and a phone number for the courier?",
                 "Voisitko vahvistaa toimitusosoitteen ja puhelinnumeron kuljettajaa varten?",
                 "Mannerheimintie 12 B 5, Helsinki. Phone 040 123 4567.",
                 "Mannerheimintie 12 B 5, Helsinki. Puhelin 040 123 4567."),
}
ASK_EN = "Hi {c},\n\nThanks for the details. {ask}\n\n{a}"
ASK_FI = "Hei {c},\n\nKiitos tiedoista. {ask}\n\n{a}"
REOPENS_EN = ["Thanks, but it still does not work.", "It happened again this morning."]
REOPENS_FI = ["Kiitos, mutta ei toimi vieläkään.", "Sama tapahtui taas aamulla."]
NOTES = ["Checked logs: see related incident.", "Escalating to second line.",
         "Customer is on an old client version.", "Refund approved by billing lead.",
         "Tarkistettu lokit, liittyy häiriöön.", "Asiakkaalle soitettu, ei vastannut."]
COMMENTS_GOOD = ["Fast and friendly, thanks!", "Great service.", "Nopea ja ystävällinen palvelu!",
                 "Problem solved on the first try.", "Kiitos avusta!"]
COMMENTS_BAD = ["Took far too long to get an answer.", "Still not fixed.",
                "I had to explain the same thing three times.", "Vastaus tuli liian hitaasti.",
                "Ei ratkaissut ongelmaani."]
