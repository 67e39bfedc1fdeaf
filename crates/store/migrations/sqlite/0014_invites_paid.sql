-- An invited member pays their inviter once per group, however often they leave and are invited
-- back (two accounts could farm points otherwise).
CREATE TABLE invites_paid (
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
