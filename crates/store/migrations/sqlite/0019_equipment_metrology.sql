-- Special equipment (特种设备) and legal metrology (计量) (issue 14, items 4 and 7): registered equipment with its
-- next inspection due, each inspection; instruments under compulsory verification with their next verification due,
-- each verification; measurement standards with the editions they serve. The due-day indexes serve the
-- regulators' queues: what in a region falls due by a day.
CREATE TABLE special_equipment (
    code TEXT PRIMARY KEY,
    variety TEXT NOT NULL,
    user_uscc TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    region_code TEXT NOT NULL,
    location TEXT NOT NULL,
    in_service_on TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    next_inspection_due TEXT NOT NULL,
    status TEXT NOT NULL,
    failed INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX special_equipment_user ON special_equipment(user_uscc, code);
CREATE INDEX special_equipment_due ON special_equipment(region_code, next_inspection_due);

CREATE TABLE equipment_inspections (
    id INTEGER PRIMARY KEY,
    equipment_code TEXT NOT NULL REFERENCES special_equipment(code),
    inspected_on TEXT NOT NULL,
    inspector_uscc TEXT NOT NULL,
    report_number TEXT NOT NULL,
    verdict TEXT NOT NULL,
    next_due_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by INTEGER
);
CREATE INDEX equipment_inspections_code ON equipment_inspections(equipment_code, inspected_on);

CREATE TABLE instruments (
    owner_uscc TEXT NOT NULL,
    serial_number TEXT NOT NULL,
    kind TEXT NOT NULL,
    used_for TEXT NOT NULL,
    region_code TEXT NOT NULL,
    location TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    next_verification_due TEXT NOT NULL,
    status TEXT NOT NULL,
    failed INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (owner_uscc, serial_number)
);
CREATE INDEX instruments_due ON instruments(region_code, next_verification_due);

CREATE TABLE instrument_verifications (
    id INTEGER PRIMARY KEY,
    owner_uscc TEXT NOT NULL,
    serial_number TEXT NOT NULL,
    verified_on TEXT NOT NULL,
    institute_uscc TEXT NOT NULL,
    certificate_number TEXT NOT NULL,
    verdict TEXT NOT NULL,
    next_due_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by INTEGER,
    FOREIGN KEY (owner_uscc, serial_number) REFERENCES instruments(owner_uscc, serial_number)
);
CREATE INDEX instrument_verifications_key ON instrument_verifications(owner_uscc, serial_number, verified_on);

CREATE TABLE measurement_standards (
    certificate_number TEXT PRIMARY KEY,
    holder_uscc TEXT NOT NULL,
    name TEXT NOT NULL,
    range_text TEXT NOT NULL,
    uncertainty TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    serves TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX measurement_standards_holder ON measurement_standards(holder_uscc, certificate_number);
