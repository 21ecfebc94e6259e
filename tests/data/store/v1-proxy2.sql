-- schema v1, written by ea_fixture at commit 4d52c1f from v1-proxy2.spec
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta ( key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES('bucket_seconds','3600');
INSERT INTO meta VALUES('created','1796317705');
INSERT INTO meta VALUES('proxy','proxy2');
CREATE TABLE hits ( bucket INTEGER NOT NULL, entry TEXT NOT NULL, vendor TEXT NOT NULL, host TEXT NOT NULL, port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535), client TEXT NOT NULL, user TEXT NOT NULL, outcome TEXT NOT NULL CHECK (outcome IN ('allowed','denied','failed','unknown')), source TEXT NOT NULL CHECK (source IN ('icap','log')), count INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY (bucket, entry, vendor, host, port, client, user, outcome, source)) WITHOUT ROWID;
INSERT INTO hits VALUES(1795640400,'acme-blocked','acme','blocked.acme.test',443,'10.1.0.1','','allowed','log',1,1795642200,1795642200);
INSERT INTO hits VALUES(1795640400,'acme-cdn','acme','a.cdn.acme.test',443,'10.1.0.2','','allowed','log',1,1795642200,1795642200);
INSERT INTO hits VALUES(1795640400,'acme-ok','acme','ok.acme.test',443,'10.0.0.1','','allowed','log',1,1795642200,1795642200);
CREATE TABLE counters ( name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counters VALUES('db_full',3);
CREATE TABLE log_files ( identity TEXT PRIMARY KEY, path TEXT NOT NULL, device INTEGER, inode INTEGER, offset INTEGER NOT NULL, lines INTEGER NOT NULL, updated INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX hits_entry ON hits (vendor, entry);
COMMIT;
PRAGMA user_version = 1;
