-- A counter that every change to courses or requirements moves on (triggers), so a process can keep
-- the requirements it has read and know, with one tiny read, whether they are still current
-- (`npm run bench`: reading them costs more than answering one person's my-training). Nothing is
-- cached on the strength of time: a cache is valid only for the counter value it was read at.
CREATE TABLE catalog_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO catalog_version (id, n) VALUES (1, 0);

CREATE TRIGGER catalog_course_insert AFTER INSERT ON course BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_course_update AFTER UPDATE ON course BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_course_delete AFTER DELETE ON course BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_insert AFTER INSERT ON requirement BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_update AFTER UPDATE ON requirement BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_delete AFTER DELETE ON requirement BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_course_insert AFTER INSERT ON requirement_course BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_course_update AFTER UPDATE ON requirement_course BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_course_delete AFTER DELETE ON requirement_course BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_scope_insert AFTER INSERT ON requirement_scope BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_scope_update AFTER UPDATE ON requirement_scope BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_scope_delete AFTER DELETE ON requirement_scope BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_employment_type_insert AFTER INSERT ON requirement_employment_type BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_employment_type_update AFTER UPDATE ON requirement_employment_type BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_employment_type_delete AFTER DELETE ON requirement_employment_type BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_title_insert AFTER INSERT ON requirement_title BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_title_update AFTER UPDATE ON requirement_title BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_requirement_title_delete AFTER DELETE ON requirement_title BEGIN UPDATE catalog_version SET n = n + 1 WHERE id = 1; END;
