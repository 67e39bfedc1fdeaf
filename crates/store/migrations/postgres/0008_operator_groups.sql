-- Which groups an operator (the role) looks after: they act only there. Owners act everywhere;
-- viewers nowhere.
CREATE TABLE operator_groups (
    operator_id  BIGINT NOT NULL,
    group_id     BIGINT NOT NULL,
    PRIMARY KEY (operator_id, group_id)
);
CREATE INDEX operator_groups_group ON operator_groups (group_id);
