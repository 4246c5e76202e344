-- Measure 30: an inspection outside the supervision zone or at the factory records why (goods
-- sensitive to temperature, static or dust, or a port without the means to inspect them), and a
-- non-AEO enterprise's request for one is taken but marked as needing the site's approval.
-- Bookings made before this schema have no reason on record (NULL).
ALTER TABLE bookings ADD COLUMN offsite_reason TEXT
    CHECK (offsite_reason IS NULL OR offsite_reason IN ('temperature', 'static', 'dust', 'no_facilities'));
ALTER TABLE bookings ADD COLUMN needs_site_approval INTEGER NOT NULL DEFAULT 0
    CHECK (needs_site_approval IN (0, 1));
