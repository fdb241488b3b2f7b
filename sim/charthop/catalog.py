"""The vocabulary of generated orgs: names, departments with their titles, offices, employment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

FIRST_NAMES: Final = (
    "Ada", "Alan", "Alexander", "Amara", "Amelia", "Andrew", "Ana", "Anjali", "Benjamin", "Bianca",
    "Carlos", "Catherine", "Chen", "Chloe", "Christopher", "Daniel", "David", "Diego", "Elena",
    "Elizabeth", "Emily", "Emma", "Ethan", "Fatima", "Felix", "Gabriel", "Grace", "Hannah",
    "Hiroshi",
    "Ibrahim", "Isabella", "Jack", "James", "Jennifer", "José", "Julia", "Kateryna", "Katherine",
    "Kenji", "Laura", "Leila", "Liam", "Lucas", "Maria", "Margaret", "Mateo", "Matthew", "Mei",
    "Michael", "Mohammed", "Nadia", "Nathaniel", "Noah", "Nora", "Olivia", "Omar", "Patricia",
    "Priya", "Rafael", "Rebecca", "Robert", "Ruth", "Samuel", "Sara", "Sofia", "Stephen", "Susan",
    "Thomas", "Valentina", "Victoria", "Wei", "William", "Yusuf", "Zoë", "Zoe",
)  # fmt: skip

LAST_NAMES: Final = (
    "Adeyemi", "Anderson", "Bauer", "Brown", "Chen", "Clark", "Costa", "Davis", "Dubois", "Evans",
    "Fernández", "Fischer", "Garcia", "Gonzalez", "Green", "Gupta", "Hall", "Harris", "Hernandez",
    "Ivanova", "Jackson", "Johnson", "Kim", "Kowalski", "Lee", "Lewis", "Li", "Lopez", "Martin",
    "Martinez", "Müller", "Nakamura", "Nguyen", "O'Brien", "Okafor", "Patel", "Perez", "Petrov",
    "Ramirez", "Robinson", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Smith", "Taylor",
    "Thomas", "Thompson", "Wang", "White", "Williams", "Wilson", "Wright", "Yamamoto", "Young",
    "Zhang",
)  # fmt: skip

NICKNAMES: Final = {
    "Alexander": "Alex",
    "Andrew": "Drew",
    "Benjamin": "Ben",
    "Catherine": "Cathy",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "Elizabeth": "Liz",
    "Jennifer": "Jen",
    "Katherine": "Kate",
    "Margaret": "Maggie",
    "Matthew": "Matt",
    "Michael": "Mike",
    "Nathaniel": "Nate",
    "Patricia": "Trish",
    "Rebecca": "Becky",
    "Robert": "Bob",
    "Samuel": "Sam",
    "Stephen": "Steve",
    "Thomas": "Tom",
    "William": "Bill",
}


@dataclass(frozen=True)
class Department:
    """A department: its share of the org, its head's title, manager titles and IC roles."""

    name: str
    weight: float
    head: str
    manager: str
    roles: tuple[str, ...]
    levelled: bool = False  # roles take levels: "Software Engineer II", "Senior ..."


DEPARTMENTS: Final = (
    Department(
        "Engineering", 30, "VP Engineering", "Engineering Manager",
        ("Software Engineer", "Site Reliability Engineer", "Data Engineer", "QA Engineer"),
        levelled=True,
    ),
    Department(
        "Sales", 15, "VP Sales", "Sales Manager",
        ("Account Executive", "Sales Development Representative", "Solutions Engineer"),
    ),
    Department(
        "Customer Success", 11, "VP Customer Success", "Customer Success Lead",
        ("Customer Success Manager", "Support Engineer", "Implementation Specialist"),
    ),
    Department(
        "Marketing", 8, "VP Marketing", "Marketing Lead",
        ("Product Marketing Manager", "Content Marketer", "Demand Generation Specialist"),
    ),
    Department(
        "Product", 7, "VP Product", "Group Product Manager", ("Product Manager", "Product Analyst")
    ),
    Department("Design", 4, "VP Design", "Design Manager", ("Product Designer", "UX Researcher")),
    Department(
        "Finance", 5, "Chief Financial Officer", "Finance Manager",
        ("Accountant", "Financial Analyst", "Payroll Specialist"),
    ),
    Department(
        "People", 5, "VP People", "People Operations Manager",
        ("Recruiter", "People Partner", "HR Generalist"),
    ),
    Department("Legal", 2, "General Counsel", "Legal Manager", ("Counsel", "Paralegal")),
    Department(
        "IT", 5, "VP IT", "IT Manager",
        ("IT Support Specialist", "Systems Administrator", "Security Engineer"),
    ),
    Department(
        "Operations", 8, "VP Operations", "Operations Manager",
        ("Operations Analyst", "Business Operations Specialist"),
    ),
)  # fmt: skip

EXECUTIVE_DEPARTMENT: Final = "Executive"
CEO_TITLE: Final = "Chief Executive Officer"
LEVELS: Final = (("{} I", 3), ("{} II", 4), ("{} III", 2), ("Senior {}", 3), ("Staff {}", 1))
SENIOR_SHARE: Final = 0.3  # of unlevelled ICs titled "Senior ..."


@dataclass(frozen=True)
class Office:
    """A location: ChartHop's ``location.name`` and address, plus a phone area prefix."""

    name: str
    city: str
    state: str
    country: str
    phone_prefix: str
    weight: float


OFFICES: Final = (
    Office("San Francisco HQ", "San Francisco", "CA", "US", "+1415555", 30),
    Office("New York", "New York", "NY", "US", "+1212555", 20),
    Office("Austin", "Austin", "TX", "US", "+1512555", 12),
    Office("Chicago", "Chicago", "IL", "US", "+1312555", 8),
    Office("Toronto", "Toronto", "ON", "CA", "+1416555", 8),
    Office("London", "London", "England", "GB", "+4420790", 12),
    Office("Berlin", "Berlin", "Berlin", "DE", "+4930901", 6),
    Office("Remote - US", "Denver", "CO", "US", "+1303555", 4),
)

EMPLOYMENT: Final = (
    ("Full Time", 88),
    ("Part Time", 4),
    ("Contract", 5),
    ("Temporary", 1),
    ("Intern", 2),
)
