-- Product-injury surveillance (产品伤害监测): sentinel hospitals with their design stratum and weight, and the
-- injury cases they report, each carrying the weight it was sampled with.
CREATE TABLE hospitals (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    stratum TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE injury_cases (
    case_id TEXT PRIMARY KEY,
    hospital_id TEXT NOT NULL REFERENCES hospitals(id),
    treated_on TEXT NOT NULL,
    stratum TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    age INTEGER NOT NULL,
    sex TEXT NOT NULL,
    product_code TEXT NOT NULL,
    product_code_2 TEXT,
    body_part TEXT NOT NULL,
    diagnosis TEXT NOT NULL,
    disposition TEXT NOT NULL,
    location TEXT,
    intent TEXT,
    hazard_code TEXT,
    narrative TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX injury_cases_treated ON injury_cases(treated_on);
CREATE INDEX injury_cases_product ON injury_cases(product_code, treated_on);
CREATE INDEX injury_cases_hospital ON injury_cases(hospital_id, treated_on);
