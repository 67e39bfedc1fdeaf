-- An offence's and a blacklisting's reason in each language, so that the console shows the one
-- its operator reads: `reason` holds the Chinese, `reason_en` the English. Rows stored before
-- this hold both in `reason` ("联系方式 / contact details") and no `reason_en`: they are shown
-- as stored, in either language.
ALTER TABLE offences ADD COLUMN reason_en TEXT;
ALTER TABLE blacklist ADD COLUMN reason_en TEXT;
