"""Name and language pools for the demo: realistic for UK schools, all invented combinations."""

# (surname, first names for children, carer first names, first language, religion)
HOUSEHOLDS = [
    ("Smith", ["Oliver", "Amelia", "Harry", "Isla"], ["Claire", "Mark"], "English", "Christian"),
    ("Jones", ["George", "Ava", "Jack", "Mia"], ["Rebecca", "Darren"], "English", ""),
    ("Williams", ["Noah", "Lily", "Charlie"], ["Gemma", "Lee"], "English", ""),
    ("Taylor", ["Leo", "Grace", "Alfie"], ["Kelly", "Steven"], "English", "Christian"),
    ("Brown", ["Freddie", "Evie", "Archie"], ["Donna", "Paul"], "English", ""),
    ("Davies", ["Theo", "Poppy", "Oscar"], ["Sian", "Rhys"], "English", ""),
    ("Evans", ["Arthur", "Sophie", "Jacob"], ["Laura", "Craig"], "English", "Christian"),
    ("Wilson", ["Alexander", "Ella", "Thomas"], ["Nicola", "Gary"], "English", ""),
    ("Thomas", ["Henry", "Florence", "Finley"], ["Emma", "Jason"], "English", ""),
    ("Roberts", ["Joshua", "Rosie", "Max"], ["Joanne", "Neil"], "English", "Christian"),
    ("Khan", ["Muhammad", "Aisha", "Ibrahim", "Maryam"], ["Samina", "Imran"], "Urdu", "Muslim"),
    ("Ahmed", ["Yusuf", "Zara", "Ayaan"], ["Nasreen", "Tariq"], "Bengali", "Muslim"),
    ("Begum", ["Rayan", "Safa", "Hamza"], ["Shahida", "Abdul"], "Bengali", "Muslim"),
    ("Hussain", ["Zayn", "Hana", "Adam"], ["Rubina", "Asif"], "Punjabi", "Muslim"),
    ("Patel", ["Arjun", "Anaya", "Rohan"], ["Priya", "Nikhil"], "Gujarati", "Hindu"),
    ("Singh", ["Harjit", "Simran", "Gurveer"], ["Manpreet", "Jaswinder"], "Punjabi", "Sikh"),
    ("Nowak", ["Jakub", "Zuzanna", "Szymon"], ["Agnieszka", "Tomasz"], "Polish", "Roman Catholic"),
    ("Kowalski", ["Filip", "Lena", "Antoni"], ["Magdalena", "Piotr"], "Polish", "Roman Catholic"),
    ("Popescu", ["Andrei", "Maria", "Luca"], ["Elena", "Ionut"], "Romanian", "Orthodox Christian"),
    ("Mohamed", ["Abdirahman", "Hodan", "Ayan"], ["Fadumo", "Abdi"], "Somali", "Muslim"),
    ("Okafor", ["Chidi", "Adaeze", "Tobenna"], ["Ngozi", "Emeka"], "English", "Christian"),
    ("Adeyemi", ["Tobi", "Ife", "Dami"], ["Funmi", "Segun"], "Yoruba", "Christian"),
    ("Mensah", ["Kwame", "Ama", "Kofi"], ["Abena", "Yaw"], "English", "Christian"),
    ("Silva", ["Tiago", "Beatriz", "Rafael"], ["Ana", "Joao"], "Portuguese", "Roman Catholic"),
    ("Haile", ["Dawit", "Selam", "Yonas"], ["Mebrat", "Tesfay"], "Tigrinya", "Orthodox Christian"),
    ("Al-Sayed", ["Omar", "Layla", "Karim"], ["Rania", "Ahmad"], "Arabic", "Muslim"),
    ("O'Brien", ["Cian", "Aoife", "Liam"], ["Siobhan", "Declan"], "English", "Roman Catholic"),
    ("MacDonald", ["Callum", "Eilidh", "Ruaridh"], ["Fiona", "Iain"], "English", ""),
    ("Campbell", ["Lewis", "Isla", "Finlay"], ["Kirsty", "Graeme"], "English", "Church of Scotland"),
    ("Stewart", ["Archie", "Orla", "Jamie"], ["Lorna", "Alan"], "English", ""),
    ("Murray", ["Rory", "Skye", "Euan"], ["Morag", "Stuart"], "English", ""),
    ("Wright", ["Reggie", "Millie", "Ronnie"], ["Stacey", "Carl"], "English", ""),
    ("Green", ["Teddy", "Phoebe", "Louie"], ["Hayley", "Dean"], "English", ""),
    ("Hall", ["Ezra", "Willow", "Jude"], ["Charlotte", "Ben"], "English", ""),
    ("Wood", ["Albie", "Ivy", "Stanley"], ["Kerry", "Shaun"], "English", "Christian"),
    ("Clarke", ["Hugo", "Matilda", "Elliot"], ["Vicky", "Rob"], "English", ""),
    ("Lewis", ["Elijah", "Daisy", "Toby"], ["Jade", "Kyle"], "English", ""),
    ("Walker", ["Sonny", "Bella", "Frankie"], ["Leanne", "Wayne"], "English", ""),
    ("Chen", ["Ethan", "Mei", "Lucas"], ["Li", "Wei"], "Mandarin", ""),
    ("Nguyen", ["Minh", "Linh", "Bao"], ["Thu", "Huy"], "Vietnamese", "Buddhist"),
    ("Yilmaz", ["Emir", "Elif", "Yusuf"], ["Ayse", "Mehmet"], "Turkish", "Muslim"),
    ("Ali", ["Idris", "Amira", "Bilal"], ["Fatima", "Hassan"], "Urdu", "Muslim"),
    ("Jackson", ["Jayden", "Ruby", "Riley"], ["Tanya", "Marcus"], "English", ""),
    ("Edwards", ["Harvey", "Erin", "Dylan"], ["Bethan", "Gareth"], "English", "Christian"),
    ("Hughes", ["Logan", "Chloe", "Mason"], ["Lisa", "Martin"], "English", ""),
    ("Kaur", ["Amrit", "Navneet", "Jasleen"], ["Harpreet", "Kulwinder"], "Punjabi", "Sikh"),
    ("Rahman", ["Arif", "Nusrat", "Tahmid"], ["Rokeya", "Mizanur"], "Bengali", "Muslim"),
    ("Baker", ["Bobby", "Esme", "Felix"], ["Zoe", "Adam"], "English", ""),
    ("Harris", ["Tommy", "Lola", "Jenson"], ["Sarah", "Anthony"], "English", ""),
    ("Turner", ["Rory", "Maisie", "Caleb"], ["Amy", "Lewis"], "English", ""),
]

STAFF_FIRST = [
    "Sarah", "Helen", "Rachel", "Joanne", "Karen", "Amanda", "Louise", "Claire", "Natalie", "Kate", "Lucy", "Hannah",
    "Jenny", "Sophie", "Vicky", "Emma", "Tracy", "Nadia", "Priya", "Fatima", "Agata", "Grace", "Chloe", "Megan",
    "David", "James", "Michael", "Chris", "Tom", "Daniel", "Ravi", "Ahmed", "Kieran", "Owen", "Sam", "Jamie",
]
STAFF_LAST = [
    "Bennett", "Carter", "Fletcher", "Gray", "Holmes", "Lloyd", "Marsh", "Norris", "Palmer", "Reid", "Shaw", "Webb",
    "Ward", "Young", "Barnes", "Cooper", "Dixon", "Ellis", "Foster", "Gibson", "Hart", "Irwin", "Knight", "Lowe",
    "Mistry", "Nash", "Owens", "Parry", "Quinn", "Rowe", "Sharma", "Begum", "Tran", "Vaughan", "Wells", "Yates",
]

MEDICAL = [
    "", "", "", "Epilepsy: rescue medication (buccal midazolam) in the office", "Asthma: blue inhaler in class",
    "Type 1 diabetes: care plan, insulin pump", "Gastrostomy: feeding plan from the dietitian", "Hearing impairment: wears aids",
    "Cerebral palsy: physiotherapy programme", "Eczema: emollient before outdoor play",
]
ALLERGIES = ["", "", "", "", "Nuts (EpiPen in class)", "Dairy", "Egg", "Penicillin", "Latex"]
BEHAVIOUR = ["", "", "", "Positive behaviour support plan, reviewed termly", "Sensory regulation plan: movement breaks"]
AGENCIES = ["", "", "Speech and language therapy", "Occupational therapy", "CAMHS", "Physiotherapy", "Community paediatrician"]

# Surnames for households beyond the first pass over HOUSEHOLDS (same languages and first names, new families).
MORE_SURNAMES = [
    "Parker", "Morris", "Cook", "Bailey", "Bell", "Cox", "Richardson", "Howard", "Ward", "Peters", "Kelly", "Price",
    "Barker", "Mitchell", "Pearson", "Holland", "Grant", "Chapman", "Kennedy", "Lawson", "Marshall", "Newton",
    "Osei", "Boateng", "Iqbal", "Mahmood", "Chowdhury", "Uddin", "Mirza", "Bibi", "Gill", "Sandhu", "Dhillon",
    "Wisniewski", "Lewandowski", "Dumitru", "Ionescu", "Abdi", "Warsame", "Eze", "Nwosu", "Pereira", "Santos",
    "Tesfaye", "Hassan", "Doherty", "Fraser", "Sinclair", "Robertson", "Ross", "Burns", "Hale",
]
