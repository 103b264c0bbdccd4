-- An import writes records in the order of its document (services may come before their
-- organisation, a term before its parent) inside one transaction that defers its reference
-- checks to the commit (SET CONSTRAINTS ALL DEFERRED). Outside an import they stay immediate.
-- SQLite needs no migration for this: PRAGMA defer_foreign_keys does it per transaction.
ALTER TABLE taxonomy_terms ALTER CONSTRAINT taxonomy_terms_taxonomy_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE taxonomy_terms ALTER CONSTRAINT taxonomy_terms_parent_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE services ALTER CONSTRAINT services_organization_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE service_at_locations ALTER CONSTRAINT service_at_locations_service_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE service_at_locations ALTER CONSTRAINT service_at_locations_location_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE service_attributes ALTER CONSTRAINT service_attributes_service_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE service_attributes ALTER CONSTRAINT service_attributes_taxonomy_term_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
