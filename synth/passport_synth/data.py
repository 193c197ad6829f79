"""Tables the generator draws from: states, names, places, authorities, labels, month names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    code: str  # the ICAO code written in the MRZ ('D' for Germany)
    name: str  # as printed in the page header
    languages: tuple[str, ...]  # label languages after English, most local first
    names: str  # key into NAMES
    expand_umlauts: bool = True


STATES: tuple[State, ...] = (
    State("D", "BUNDESREPUBLIK DEUTSCHLAND", ("de", "fr"), "de"),
    State("AUT", "REPUBLIK ÖSTERREICH", ("de", "fr"), "de"),
    State("CHE", "SCHWEIZ SUISSE SVIZZERA", ("de", "fr"), "de"),
    State("FRA", "RÉPUBLIQUE FRANÇAISE", ("fr",), "fr"),
    State("BEL", "ROYAUME DE BELGIQUE", ("fr", "de"), "fr"),
    State("ESP", "REINO DE ESPAÑA", ("es", "fr"), "es"),
    State("MEX", "ESTADOS UNIDOS MEXICANOS", ("es",), "es"),
    State("PRT", "REPÚBLICA PORTUGUESA", ("fr",), "pt"),
    State("BRA", "REPÚBLICA FEDERATIVA DO BRASIL", ("fr",), "pt"),
    State("ITA", "REPUBBLICA ITALIANA", ("fr",), "it"),
    State("GBR", "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND", ("fr",), "en"),
    State("IRL", "ÉIRE IRELAND", ("fr",), "en"),
    State("USA", "UNITED STATES OF AMERICA", ("fr", "es"), "en"),
    State("CAN", "CANADA", ("fr",), "en"),
    State("NLD", "KONINKRIJK DER NEDERLANDEN", ("fr",), "nl"),
    State("SWE", "SVERIGE SWEDEN", ("fr",), "nordic"),
    State("NOR", "NORGE NORWAY", ("fr",), "nordic"),
    State("DNK", "DANMARK DENMARK", ("fr",), "nordic"),
    State("FIN", "SUOMI FINLAND", ("fr",), "nordic"),
    State("POL", "RZECZPOSPOLITA POLSKA", ("fr",), "pl"),
    State("CZE", "ČESKÁ REPUBLIKA", ("fr",), "cz"),
    State("LTU", "LIETUVOS RESPUBLIKA", ("fr",), "lt"),
    State("HUN", "MAGYARORSZÁG", ("fr",), "hu", expand_umlauts=False),
    State("TUR", "TÜRKİYE CUMHURİYETİ", ("fr",), "tr", expand_umlauts=False),
    State("ISL", "ÍSLAND ICELAND", ("fr",), "is"),
    State("VNM", "VIỆT NAM", ("fr",), "vn"),
    State("CHN", "PEOPLE'S REPUBLIC OF CHINA", (), "cn"),
    State("NGA", "FEDERAL REPUBLIC OF NIGERIA", ("fr",), "ng"),
    State("IND", "REPUBLIC OF INDIA", (), "in"),
    State("UTO", "UTOPIA", ("fr",), "en"),
)

# Printed spellings; the MRZ spelling is derived by translit.to_mrz.
NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "surname": ("Müller", "Schäfer", "Weiß", "Groß", "Köhler", "Mustermann", "Schröder", "Jäger",
                    "Müller-Lüdenscheidt", "Bößeldorfer", "von Großkreutz-Überlingen", "Hoffmann"),
        "given": ("Jürgen", "Erika", "Günther", "Jörg", "Käthe", "Anna", "Lukas", "Björn", "Hans-Peter",
                  "Sophie", "Maximilian", "Dörte"),
    },
    "fr": {
        "surname": ("Lefèvre", "Dupré", "Bénard", "Gaëtan", "Château", "Martin", "Dubois", "Lemaître",
                    "Boucher-Dufresne", "de la Fontaine", "Bérénger"),
        "given": ("Hélène", "Jérôme", "Zoé", "François", "Anaïs", "Loïc", "Éloïse", "Jean-Baptiste",
                  "Marie-Thérèse", "Gaël", "Noël"),
    },
    "es": {
        "surname": ("García Núñez", "Fernández", "Peña", "Muñoz Ibáñez", "López", "Martínez de la Torre",
                    "de la Santísima Trinidad Fernández-González", "Güemes", "Sánchez"),
        "given": ("José", "María", "Sofía", "Ángel", "Lucía", "Iñigo", "María del Carmen", "Jesús",
                  "Begoña", "Raúl"),
    },
    "pt": {
        "surname": ("Gonçalves", "Araújo", "Magalhães", "Conceição", "Simões", "Pereira da Silva",
                    "Guimarães de Albuquerque Cavalcanti"),
        "given": ("João", "Inês", "Conceição", "António", "Luís", "Mariana", "Sebastião", "Thaís"),
    },
    "it": {
        "surname": ("Rossi", "De Luca", "Niccolò", "D'Angelo", "Bianchi", "Esposito", "Lo Iacono"),
        "given": ("Giuseppe", "Niccolò", "Chiara", "Lucrezia", "Giovanni", "Francesca", "Ilaria"),
    },
    "en": {
        "surname": ("Smith", "O'Neill", "Johnson", "Williams", "Brown", "Eriksson", "MacDonald",
                    "Featherstonehaugh", "Bowes-Lyon", "St. John"),
        "given": ("Anna", "Maria", "John", "Elizabeth", "Mary-Jane", "Christopher", "Olivia",
                  "William", "Sarah", "James", "Chloë"),
    },
    "nl": {
        "surname": ("de Vries", "van den Berg", "Jansen", "van der Meer", "Bakker", "Visser"),
        "given": ("Willem", "Daan", "Anouk", "Sanne", "Joëlle", "Maarten", "Fenna"),
    },
    "nordic": {
        "surname": ("Virtanen", "Ødegård", "Sørensen", "Åkesson", "Ærø", "Löfgren", "Bjørnstad",
                    "Häkkinen", "Lindström"),
        "given": ("Søren", "Åsa", "Bjørn", "Mäkinen", "Ingrid", "Maria", "Olivia", "Märta", "Øystein"),
    },
    "pl": {
        "surname": ("Kowalska", "Wiśniewski", "Łukasiewicz", "Żółkiewski", "Wójcik", "Grzegorczyk"),
        "given": ("Łucja", "Małgorzata", "Paweł", "Zbigniew", "Agnieszka", "Józef", "Anna"),
    },
    "cz": {
        "surname": ("Dvořák", "Novotná", "Černý", "Procházková", "Kříž", "Růžička"),
        "given": ("Jiří", "Růžena", "Tomáš", "Zdeněk", "Kateřina", "Věra"),
    },
    "lt": {
        "surname": ("Basanavičienė", "Kazlauskas", "Žukauskaitė", "Petrauskas", "Jankauskienė"),
        "given": ("Gintarė", "Jonas", "Rūta", "Žydrūnas", "Aušra", "Vytautas"),
    },
    "hu": {
        "surname": ("Szőke", "Kovács", "Tóth", "Nagy", "Horváth", "Böszörményi"),
        "given": ("Zsófia", "Gyöngyi", "László", "Ödön", "Réka", "Attila"),
    },
    "tr": {
        "surname": ("Öztürk", "Yılmaz", "Şahin", "Çelik", "Doğan", "Güneş", "Karaağaçlı"),
        "given": ("Ayşe", "Mehmet", "Gülşen", "Çağlar", "Ömer", "Şükrü", "Zeynep"),
    },
    "is": {
        "surname": ("Jónsdóttir", "Guðmundsson", "Þórsdóttir", "Sigurðsson", "Ólafsdóttir"),
        "given": ("Þóra", "Guðrún", "Sigurður", "Ásgeir", "Björk", "Hrafnhildur"),
    },
    "vn": {
        "surname": ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Đặng"),
        "given": ("Văn An", "Thị Hương", "Minh Đức", "Thu Thủy", "Quốc Bảo"),
    },
    "cn": {
        "surname": ("Wang", "Li", "Zhang", "Liu", "Chen", "Lin", "Ouyang"),
        "given": ("Mei Hua", "Xiaoming", "Jianguo", "Yuxuan", "Zihan", "Haoran"),
    },
    "ng": {
        "surname": ("Okonkwo", "Adebayo", "Oluwaseun", "Chukwuemeka", "Abubakar", "Adeyemi-Ogunleye"),
        "given": ("Chinwe", "Oluwatobiloba", "Ngozi", "Babatunde", "Adaeze", "Chimamanda"),
    },
    "in": {
        "surname": ("Sharma", "Venkataraghavan", "Subramanian", "Patel", "Chattopadhyay", "Reddy"),
        "given": ("Aishwarya", "Rajesh Kumar", "Lakshmi", "Venkata Sai Srinivas", "Priya", "Arjun"),
    },
}

PLACES: dict[str, tuple[str, ...]] = {
    "de": ("München", "Köln", "Düsseldorf", "Berlin", "Lübeck", "Zürich", "Genève", "Wien", "Saarbrücken"),
    "fr": ("Paris", "Orléans", "Besançon", "Nîmes", "Saint-Étienne", "Liège", "Bruxelles"),
    "es": ("Málaga", "Córdoba", "León", "A Coruña", "Cádiz", "Ciudad de México", "Mérida"),
    "pt": ("São Paulo", "Lisboa", "Belém", "Évora", "Maceió", "Setúbal"),
    "it": ("Forlì", "Cantù", "Roma", "Napoli", "Torino", "Sant'Antìoco"),
    "en": ("London", "Dublin", "New York", "Toronto", "Montréal", "Edinburgh", "Utopia City", "Leeds"),
    "nl": ("Amsterdam", "'s-Gravenhage", "Utrecht", "Rotterdam", "Eindhoven"),
    "nordic": ("Helsinki", "Tromsø", "Göteborg", "Århus", "Malmö", "Jyväskylä", "København"),
    "pl": ("Łódź", "Kraków", "Gdańsk", "Wrocław", "Poznań", "Białystok"),
    "cz": ("Plzeň", "Brno", "České Budějovice", "Ústí nad Labem", "Praha"),
    "lt": ("Vilnius", "Kaunas", "Šiauliai", "Panevėžys", "Klaipėda"),
    "hu": ("Győr", "Pécs", "Debrecen", "Székesfehérvár", "Budapest"),
    "tr": ("İstanbul", "İzmir", "Eskişehir", "Diyarbakır", "Muğla", "Ankara"),
    "is": ("Reykjavík", "Akureyri", "Ísafjörður", "Húsavík"),
    "vn": ("Hà Nội", "Đà Nẵng", "Huế", "Hải Phòng", "Cần Thơ"),
    "cn": ("Beijing", "Shanghai", "Guangzhou", "Taipei", "Chengdu"),
    "ng": ("Lagos", "Abuja", "Ibadan", "Port Harcourt", "Enugu"),
    "in": ("Mumbai", "Chennai", "Thiruvananthapuram", "Kolkata", "New Delhi"),
}

AUTHORITIES: dict[str, tuple[str, ...]] = {
    "de": ("Stadt Köln", "Landeshauptstadt München", "Bürgeramt Berlin-Mitte", "Magistrat der Stadt Wien"),
    "fr": ("Préfecture de Police", "Préfecture du Rhône", "Administration communale de Liège"),
    "es": ("DGP Policía Nacional", "Dirección General de la Policía", "SRE Secretaría de Relaciones Exteriores"),
    "pt": ("SEF Lisboa", "Polícia Federal", "Governo Civil de Évora"),
    "it": ("Questura di Roma", "Ministero degli Affari Esteri", "Questura di Forlì"),
    "en": ("HMPO", "Department of State", "Passport Canada", "Department of Foreign Affairs", "Ministry of Foreign Affairs"),
    "nl": ("Burgemeester van Amsterdam", "Minister van Buitenlandse Zaken"),
    "nordic": ("Poliisi / Polisen", "Politiet", "Polismyndigheten", "Udlændinge- og Integrationsministeriet"),
    "pl": ("Wojewoda Mazowiecki", "Wojewoda Łódzki"),
    "cz": ("Magistrát města Plzně", "MěÚ Český Krumlov"),
    "lt": ("Migracijos departamentas", "Vilniaus m. VPK"),
    "hu": ("Belügyminisztérium", "Győr Kormányhivatal"),
    "tr": ("Emniyet Genel Müdürlüğü", "İçişleri Bakanlığı"),
    "is": ("Þjóðskrá Íslands",),
    "vn": ("Cục Quản lý Xuất nhập cảnh",),
    "cn": ("Ministry of Public Security", "Bureau of Consular Affairs"),
    "ng": ("Nigeria Immigration Service",),
    "in": ("Passport Office Chennai", "Ministry of External Affairs"),
}

# Label texts of the visual zone, per language; pages print 1-3 languages joined by ' / '.
LABELS: dict[str, dict[str, str]] = {
    "document_type": {"en": "Type", "fr": "Type", "de": "Typ", "es": "Tipo"},
    "document_code": {"en": "Code", "fr": "Code", "de": "Kode", "es": "Código"},
    "issuing_country": {"en": "Issuing State", "fr": "État émetteur", "de": "Ausstellender Staat", "es": "País emisor"},
    "document_number": {"en": "Passport No.", "fr": "N° du passeport", "de": "Pass-Nr.", "es": "Pasaporte N°"},
    "card_number": {"en": "Document No.", "fr": "N° du document", "de": "Dokumentennummer", "es": "Número"},
    "surname": {"en": "Surname", "fr": "Nom", "de": "Name", "es": "Apellidos"},
    "given_names": {"en": "Given names", "fr": "Prénoms", "de": "Vornamen", "es": "Nombres"},
    "nationality": {"en": "Nationality", "fr": "Nationalité", "de": "Staatsangehörigkeit", "es": "Nacionalidad"},
    "date_of_birth": {"en": "Date of birth", "fr": "Date de naissance", "de": "Geburtstag", "es": "Fecha de nacimiento"},
    "sex": {"en": "Sex", "fr": "Sexe", "de": "Geschlecht", "es": "Sexo"},
    "place_of_birth": {"en": "Place of birth", "fr": "Lieu de naissance", "de": "Geburtsort", "es": "Lugar de nacimiento"},
    "date_of_issue": {"en": "Date of issue", "fr": "Date de délivrance", "de": "Ausstellungsdatum", "es": "Fecha de expedición"},
    "date_of_expiry": {"en": "Date of expiry", "fr": "Date d'expiration", "de": "Gültig bis", "es": "Fecha de caducidad"},
    "authority": {"en": "Authority", "fr": "Autorité", "de": "Behörde", "es": "Autoridad"},
    "personal_number": {"en": "Personal No.", "fr": "N° personnel", "de": "Persönliche Nr.", "es": "N° personal"},
}

DOCUMENT_TITLES: dict[str, dict[str, str]] = {
    "passport": {"en": "PASSPORT", "fr": "PASSEPORT", "de": "REISEPASS", "es": "PASAPORTE"},
    "id": {"en": "IDENTITY CARD", "fr": "CARTE D'IDENTITÉ", "de": "PERSONALAUSWEIS", "es": "DOCUMENTO DE IDENTIDAD"},
    "visa": {"en": "VISA", "fr": "VISA", "de": "VISUM", "es": "VISADO"},
}

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    "fr": ("JAN", "FÉV", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOÛT", "SEPT", "OCT", "NOV", "DÉC"),
    "de": ("JAN", "FEB", "MÄR", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"),
    "es": ("ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC"),
}

SEX_PRINTED: dict[str, tuple[str, ...]] = {"M": ("M", "M/M", "M/H"), "F": ("F", "F/F", "W/F"), "X": ("X", "<", "X/X")}
