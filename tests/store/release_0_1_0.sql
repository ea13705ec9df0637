BEGIN TRANSACTION;
CREATE TABLE meta (
	"key" VARCHAR(50) NOT NULL, 
	value VARCHAR(200) NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "meta" VALUES('schema_version','2');
CREATE TABLE sessions (
	id VARCHAR(36) NOT NULL, 
	learner VARCHAR(200) NOT NULL, 
	scenario_id VARCHAR(200) NOT NULL, 
	seed INTEGER NOT NULL, 
	difficulty INTEGER, 
	status VARCHAR(20) NOT NULL, 
	outcome VARCHAR(20), 
	started_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	note TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO "sessions" VALUES('1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4','sam','internet-outage',7,3,'finished','resolved','2026-12-02 00:53:25.837042','2026-12-02 00:53:25.851173',NULL);
INSERT INTO "sessions" VALUES('122300c4-dc2c-4708-892f-8e6d392ca92a','alex','late-delivery',1,NULL,'unfinished',NULL,'2026-12-02 00:53:25.852474','2026-12-02 00:53:25.853382','replies ran out');
CREATE TABLE turns (
	id INTEGER NOT NULL, 
	session_id VARCHAR(36) NOT NULL, 
	"index" INTEGER NOT NULL, 
	node_id VARCHAR(200) NOT NULL, 
	customer_line TEXT NOT NULL, 
	customer_mood FLOAT NOT NULL, 
	transcript TEXT NOT NULL, 
	feedback JSON NOT NULL, 
	step JSON, 
	customer_audio VARCHAR(500), 
	learner_audio VARCHAR(500), 
	created_at DATETIME NOT NULL, 
	take INTEGER, 
	active BOOLEAN, 
	next_line TEXT, 
	outcome VARCHAR(20), 
	PRIMARY KEY (id), 
	FOREIGN KEY(session_id) REFERENCES sessions (id)
);
INSERT INTO "turns" VALUES(1,'1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4',1,'opening','Third call this week!',0.7,'I''m sorry, let me fix this','{"scores": {"empathy": 62.5, "pace": 80.0}, "moves": ["apologize"], "tip": "Slow down."}','{"goto": "history", "reason": "apologized"}','@DATA@/audio/1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4/turn-01-customer.flac','@DATA@/audio/1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4/turn-01-learner.flac','2026-12-02 00:53:25.840976',1,1,'Fine.',NULL);
INSERT INTO "turns" VALUES(2,'1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4',2,'history','Third call this week!',0.7,'I''m sorry, let me fix this','{"scores": {"empathy": 62.5, "pace": 80.0}, "moves": ["apologize"], "tip": "Slow down."}','{"goto": "history", "reason": "apologized"}','@DATA@/audio/1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4/turn-02-customer.flac','@DATA@/audio/1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4/turn-02-learner.flac','2026-12-02 00:53:25.844539',1,0,'Fine.',NULL);
INSERT INTO "turns" VALUES(3,'1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4',2,'history','Third call this week!',0.6,'Second take','{"scores": {"empathy": 70.0}}','{"goto": "end"}','@DATA@/audio/1e8b3c83-7bca-45f3-9c7c-c555e8e7ece4/turn-02-take2-customer.flac',NULL,'2026-12-02 00:53:25.850123',2,1,'Thanks, bye.','resolved');
CREATE INDEX ix_sessions_learner ON sessions (learner);
CREATE INDEX ix_turns_session_id ON turns (session_id);
COMMIT;
