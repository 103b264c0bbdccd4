-- The place the pages give a taxonomy (function, target_group, condition, funding); data, not
-- code, so a deployment's own taxonomies can take these places.
ALTER TABLE taxonomies ADD COLUMN role TEXT;
CREATE UNIQUE INDEX taxonomies_role ON taxonomies (role) WHERE role IS NOT NULL;
