"""Static data of the demo hospital (names, wards, clinics, named staff)."""

from __future__ import annotations

SEED = 20240917

# code, name, aliases, beds
WARDS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("ICU", "Intensive Care Unit", ("ICU", "Intensive Care", "I C U", "Critical Care"), 20),
    ("HDU", "High Dependency Unit", ("HDU", "High Dependency", "H D U"), 14),
    ("CCU", "Coronary Care Unit", ("CCU", "Coronary Care", "Cardiac Care Unit"), 14),
    ("ED", "Emergency Department", ("ED", "A&E", "A and E", "Accident and Emergency",
                                    "Emergency"), 32),
    ("4B", "Ward 4B", ("Medical 4B", "Medical Ward 4B", "4B", "four b"), 30),
    ("7", "Ward 7", ("Surgical 7", "Surgical Ward 7", "ward seven", "seven"), 30),
    ("MAT", "Maternity Ward", ("Maternity", "MAT", "Labour Ward", "Delivery Suite"), 26),
    ("PAED", "Paediatric Ward", ("Paediatrics", "PAED", "Children's Ward", "Peds"), 26),
)
MONITORED_WARDS = {"ICU", "HDU", "CCU"}

# code, name (clinic = HealthcareService)
CLINICS: tuple[tuple[str, str], ...] = (
    ("cardiology", "Cardiology Clinic"),
    ("orthopaedics", "Orthopaedics Clinic"),
    ("dermatology", "Dermatology Clinic"),
    ("neurology", "Neurology Clinic"),
    ("respiratory", "Respiratory Clinic"),
    ("diabetes", "Diabetes Clinic"),
    ("ent", "ENT Clinic"),
    ("ophthalmology", "Ophthalmology Clinic"),
    ("oncology", "Oncology Clinic"),
    ("physiotherapy", "Physiotherapy Clinic"),
)

# username, prefix, given, family, role, ward code or clinic code (or None)
NAMED_STAFF: tuple[tuple[str, str | None, str, str, str, str | None], ...] = (
    ("n.jones", None, "Nia", "Jones", "nurse", "4B"),
    ("dr.patel", "Dr", "Raj", "Patel", "clinician", "cardiology"),
    ("s.ali", None, "Sara", "Ali", "scheduler", None),
    ("p.kim", None, "Paul", "Kim", "porter", None),
    ("h.lee", None, "Hana", "Lee", "helpdesk", None),
    ("b.okoro", None, "Bola", "Okoro", "bed_manager", None),
    ("c.sam", None, "Chris", "Sam", "housekeeping", None),
    ("a.admin", None, "Alex", "Morgan", "admin", None),
    ("t.brown", None, "Tom", "Brown", "porter", None),
    ("m.evans", None, "Megan", "Evans", "helpdesk", None),
    ("r.santos", None, "Rita", "Santos", "housekeeping", None),
    ("j.wright", None, "Jo", "Wright", "scheduler", None),
    ("k.osei", None, "Kwame", "Osei", "bed_manager", None),
)

# clinicians per clinic (besides dr.patel): given, family
CLINICIANS: dict[str, tuple[tuple[str, str], ...]] = {
    "cardiology": (("Helen", "Carter"),),
    "orthopaedics": (("Marcus", "Reid"), ("Aisha", "Bello")),
    "dermatology": (("Leah", "Goldberg"),),
    "neurology": (("Tomasz", "Nowak"), ("Priya", "Sharma")),
    "respiratory": (("Owen", "Hughes"),),
    "diabetes": (("Fatima", "Rahman"),),
    "ent": (("Kenji", "Watanabe"),),
    "ophthalmology": (("Grace", "O'Neill"),),
    "oncology": (("Samuel", "Mensah"),),
    "physiotherapy": (("Chloe", "Dubois"),),
}

NURSE_NAMES: tuple[tuple[str, str], ...] = (
    ("Amara", "Nwosu"), ("Ben", "Taylor"), ("Catrin", "Price"), ("Deepa", "Nair"),
    ("Ewan", "MacLeod"), ("Farah", "Haddad"), ("Gareth", "Lloyd"), ("Ife", "Adeyemi"),
    ("Jamie", "Walsh"), ("Katie", "Murphy"), ("Luis", "Fernandes"), ("Mei", "Chen"),
    ("Niamh", "Byrne"), ("Olu", "Bakare"), ("Rosa", "Costa"),
)

GIVEN_F = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Sophia", "Grace", "Freya", "Aaliyah", "Zara",
    "Maryam", "Priya", "Anjali", "Chloe", "Emily", "Hannah", "Siobhan", "Bronwen", "Agnieszka",
    "Ngozi", "Yasmin", "Mei", "Sakura", "Lucia", "Ines", "Margaret", "Dorothy", "Joan", "Eileen",
    "Patricia", "Fatima", "Ayesha", "Rhiannon", "Kerry", "Leanne", "Tanisha", "Roisin", "Elif",
)
GIVEN_M = (
    "Oliver", "George", "Noah", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Jack", "Ibrahim",
    "Omar", "Arjun", "Rohan", "Dylan", "Callum", "Connor", "Rhys", "Piotr", "Kwame", "Chinedu",
    "Wei", "Hiroshi", "Mateo", "Diego", "Kenneth", "Brian", "Derek", "Trevor", "Graham", "Alan",
    "Hamza", "Yusuf", "Cian", "Euan", "Tariq", "Mehmet", "Andrei", "Luca",
)
FAMILY = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Khan", "Ahmed", "Ali", "Hussain",
    "Singh", "Kaur", "Begum", "Shah", "Okafor", "Adebayo", "Mensah", "Boateng", "Nguyen", "Chen",
    "Wong", "Li", "Kowalski", "Nowak", "Murphy", "O'Brien", "Kelly", "MacDonald", "Campbell",
    "Stewart", "Rossi", "Silva", "Santos", "Yilmaz", "Demir", "Haddad", "Cohen", "Levy",
    "Fraser", "Morgan", "Price", "Lloyd", "Griffiths", "Owen", "Sharma", "Gupta", "Das",
)
