-- Staff development around the material library: collections (learning paths) and what each
-- learner completed, ratings, comments and usage counts of material, and staff-development
-- plans a school organiser (huvudman) runs for groups of its staff.

-- A collection: an ordered path of material, catalogue offerings and activities, shared with
-- the same scopes as material.
CREATE TABLE collection (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('private', 'organisation', 'organiser', 'everyone')),
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX collection_organisation ON collection (organisation_id);

-- One step of a collection. `title` and `description` are the activity's own (for material
-- and offerings they are the curator's note; the linked item's title is shown).
CREATE TABLE collection_item (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id INTEGER NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('material', 'offering', 'activity')),
    material_id INTEGER REFERENCES material (id) ON DELETE CASCADE,
    offering_id INTEGER REFERENCES offering (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    CHECK ((kind = 'material') = (material_id IS NOT NULL)),
    CHECK ((kind = 'offering') = (offering_id IS NOT NULL))
);
CREATE INDEX collection_item_collection ON collection_item (collection_id, position);

-- A learner completed a material (wherever they met it: alone, in a collection, in a plan).
-- `organisation_id`: the learner's organisation then, for usage counts per school.
CREATE TABLE material_completion (
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    material_id INTEGER NOT NULL REFERENCES material (id) ON DELETE CASCADE,
    organisation_id INTEGER REFERENCES organisation (id) ON DELETE SET NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (user_id, material_id)
);
CREATE INDEX material_completion_material ON material_completion (material_id);

-- A learner completed a collection's offering or activity step (material steps are done
-- when the material is completed).
CREATE TABLE collection_item_done (
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES collection_item (id) ON DELETE CASCADE,
    done_at TEXT NOT NULL,
    PRIMARY KEY (user_id, item_id)
);

CREATE TABLE material_rating (
    material_id INTEGER NOT NULL REFERENCES material (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    rated_at TEXT NOT NULL,
    PRIMARY KEY (material_id, user_id)
);

CREATE TABLE material_comment (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    material_id INTEGER NOT NULL REFERENCES material (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX material_comment_material ON material_comment (material_id);

-- Views counted per material, day and the viewer's organisation (0: a visitor without one),
-- never per person.
CREATE TABLE material_usage (
    material_id INTEGER NOT NULL REFERENCES material (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    views INTEGER NOT NULL CHECK (views > 0),
    PRIMARY KEY (material_id, organisation_id, day)
);
CREATE INDEX material_usage_organisation ON material_usage (organisation_id);

-- A staff group of a school organiser: the people a plan is assigned to.
CREATE TABLE staff_group (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, name)
);

CREATE TABLE staff_group_member (
    group_id INTEGER NOT NULL REFERENCES staff_group (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX staff_group_member_user ON staff_group_member (user_id);

-- A staff-development plan for a year: goals, then activities.
CREATE TABLE development_plan (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title TEXT NOT NULL,
    goals TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX development_plan_organisation ON development_plan (organisation_id);

-- An activity of a plan: a material, a collection, a catalogue course, or a learning meeting
-- (its own title, description and date).
CREATE TABLE plan_activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES development_plan (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('material', 'collection', 'offering', 'meeting')),
    material_id INTEGER REFERENCES material (id) ON DELETE CASCADE,
    collection_id INTEGER REFERENCES collection (id) ON DELETE CASCADE,
    offering_id INTEGER REFERENCES offering (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    due_on TEXT,
    CHECK ((kind = 'material') = (material_id IS NOT NULL)),
    CHECK ((kind = 'collection') = (collection_id IS NOT NULL)),
    CHECK ((kind = 'offering') = (offering_id IS NOT NULL))
);
CREATE INDEX plan_activity_plan ON plan_activity (plan_id, position);

CREATE TABLE plan_assignment (
    plan_id INTEGER NOT NULL REFERENCES development_plan (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES staff_group (id) ON DELETE CASCADE,
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, group_id)
);

-- A staff member's progress on an activity (started or done) and their reflection.
CREATE TABLE plan_progress (
    activity_id INTEGER NOT NULL REFERENCES plan_activity (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('started', 'done')),
    reflection TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (activity_id, user_id)
);
CREATE INDEX plan_progress_user ON plan_progress (user_id);
