"""Schema version 1: people, stages, notes, tags, lists and contact history, with the defaults.

Written as plain SQL so it keeps building exactly the first release's schema however the models
change later.
"""

from peewee import Database

TABLES = (
    """CREATE TABLE "stage" ("slug" VARCHAR(40) NOT NULL PRIMARY KEY, "name" VARCHAR(80) NOT NULL,
    "position" INTEGER NOT NULL, "description" TEXT NOT NULL, "next_step" TEXT NOT NULL)""",
    'CREATE INDEX "stage_position" ON "stage" ("position")',
    """CREATE TABLE "person" ("id" INTEGER NOT NULL PRIMARY KEY, "x_id" VARCHAR(25),
    "handle" VARCHAR(15) COLLATE NOCASE, "display_name" VARCHAR(200) NOT NULL, "bio" TEXT NOT NULL,
    "followers_count" INTEGER, "following_count" INTEGER, "follows_you" INTEGER,
    "you_follow" INTEGER, "avatar_url" TEXT NOT NULL, "stage" VARCHAR(40) NOT NULL,
    "sells_followers" INTEGER NOT NULL, "never_posts" INTEGER NOT NULL,
    "no_follow_back" INTEGER NOT NULL, "first_seen" DATETIME NOT NULL,
    "last_seen" DATETIME NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL,
    FOREIGN KEY ("stage") REFERENCES "stage" ("slug") ON UPDATE CASCADE)""",
    'CREATE UNIQUE INDEX "person_x_id" ON "person" ("x_id")',
    'CREATE UNIQUE INDEX "person_handle" ON "person" ("handle")',
    'CREATE INDEX "person_followers_count" ON "person" ("followers_count")',
    'CREATE INDEX "person_stage" ON "person" ("stage")',
    'CREATE INDEX "person_created_at" ON "person" ("created_at")',
    """CREATE TABLE "earlier_handle" ("id" INTEGER NOT NULL PRIMARY KEY,
    "person_id" INTEGER NOT NULL, "handle" VARCHAR(15) NOT NULL COLLATE NOCASE,
    "replaced_at" DATETIME NOT NULL,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "earlier_handle_handle" ON "earlier_handle" ("handle")',
    """CREATE UNIQUE INDEX "earlier_handle_person_id_handle"
    ON "earlier_handle" ("person_id", "handle")""",
    """CREATE TABLE "stage_change" ("id" INTEGER NOT NULL PRIMARY KEY,
    "person_id" INTEGER NOT NULL, "from_stage" VARCHAR(40), "to_stage" VARCHAR(40) NOT NULL,
    "changed_at" DATETIME NOT NULL, "cause" TEXT NOT NULL, "source" VARCHAR(16) NOT NULL,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE)""",
    """CREATE INDEX "stage_change_person_id_changed_at"
    ON "stage_change" ("person_id", "changed_at")""",
    """CREATE TABLE "note" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL,
    "body" TEXT NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "note_person_id_created_at" ON "note" ("person_id", "created_at")',
    """CREATE TABLE "tag" ("id" INTEGER NOT NULL PRIMARY KEY,
    "name" VARCHAR(50) NOT NULL COLLATE NOCASE)""",
    'CREATE UNIQUE INDEX "tag_name" ON "tag" ("name")',
    """CREATE TABLE "person_tag" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL,
    "tag_id" INTEGER NOT NULL,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("tag_id") REFERENCES "tag" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "person_tag_tag_id" ON "person_tag" ("tag_id")',
    'CREATE UNIQUE INDEX "person_tag_person_id_tag_id" ON "person_tag" ("person_id", "tag_id")',
    """CREATE TABLE "list" ("id" INTEGER NOT NULL PRIMARY KEY, "slug" VARCHAR(60) NOT NULL,
    "name" VARCHAR(100) NOT NULL, "description" TEXT NOT NULL, "automatic" INTEGER NOT NULL,
    "builtin" INTEGER NOT NULL, "x_list_id" VARCHAR(25), "cadence_days" INTEGER,
    "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL)""",
    'CREATE UNIQUE INDEX "list_slug" ON "list" ("slug")',
    'CREATE UNIQUE INDEX "list_x_list_id" ON "list" ("x_list_id")',
    """CREATE TABLE "list_member" ("id" INTEGER NOT NULL PRIMARY KEY, "list_id" INTEGER NOT NULL,
    "person_id" INTEGER NOT NULL, "added_at" DATETIME NOT NULL,
    FOREIGN KEY ("list_id") REFERENCES "list" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "list_member_person_id" ON "list_member" ("person_id")',
    """CREATE UNIQUE INDEX "list_member_list_id_person_id"
    ON "list_member" ("list_id", "person_id")""",
    """CREATE TABLE "interaction" ("id" INTEGER NOT NULL PRIMARY KEY,
    "person_id" INTEGER NOT NULL, "kind" VARCHAR(32) NOT NULL, "direction" VARCHAR(8) NOT NULL,
    "happened_at" DATETIME NOT NULL, "tweet_url" TEXT NOT NULL, "text" TEXT NOT NULL,
    "source" VARCHAR(16) NOT NULL, "dedupe_key" VARCHAR(200) NOT NULL,
    "created_at" DATETIME NOT NULL,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE)""",
    'CREATE UNIQUE INDEX "interaction_dedupe_key" ON "interaction" ("dedupe_key")',
    """CREATE INDEX "interaction_person_id_happened_at"
    ON "interaction" ("person_id", "happened_at")""",
)

STAGES = (
    (
        "stranger",
        "Stranger",
        "Not yet on their radar.",
        "Follow their posts and notice what they are good at.",
    ),
    (
        "noticed",
        "Noticed",
        "You retweet or like their work.",
        "Retweet something genuinely useful of theirs, not more than twice a week.",
    ),
    (
        "acknowledged",
        "Acknowledged",
        "They thanked you or replied.",
        "Answer one of their questions.",
    ),
    (
        "conversing",
        "Conversing",
        "You answered their question or asked one.",
        "Ask them a question about their expertise.",
    ),
    ("mutual", "Mutual", "They follow you back.", "Engage two or three of their followers."),
    ("relationship", "Relationship", "DMs, calls, meeting in person.", "Move to a DM or a call."),
    (
        "advocate",
        "Advocate",
        "They refer or mention you.",
        "Thank them, and return the favour when you can.",
    ),
)

LISTS = (
    (
        "watchlist",
        "The Watchlist",
        "About a hundred people you want to build a relationship with.",
        False,
        7,
    ),
    (
        "people-who-say-things",
        "People Who Say Things",
        "People whose posts are worth reading and sharing.",
        False,
        3,
    ),
    (
        "mentioned-you",
        "Mentioned You",
        "Filled automatically with people who mention you.",
        True,
        None,
    ),
    (
        "favorited",
        "People I've Favorited",
        "Filled automatically with people whose posts you like.",
        True,
        None,
    ),
)


def upgrade(db: Database, migrator: object) -> None:
    for statement in TABLES:
        db.execute_sql(statement)
    for position, (slug, name, description, next_step) in enumerate(STAGES):
        db.execute_sql(
            'INSERT INTO "stage" (slug, name, position, description, next_step) '
            "VALUES (?, ?, ?, ?, ?)",
            (slug, name, position, description, next_step),
        )
    for slug, name, description, automatic, cadence in LISTS:
        db.execute_sql(
            'INSERT INTO "list" (slug, name, description, automatic, builtin, cadence_days, '
            "created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, datetime('now'), datetime('now'))",
            (slug, name, description, int(automatic), cadence),
        )
