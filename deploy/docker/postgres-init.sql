-- Run once by the postgres image on a fresh volume: one database per service
-- (each service migrates its own schema at boot, MIGRATE_ON_BOOT=true).
CREATE DATABASE licensing_keys;
CREATE DATABASE licensing_coupons;
CREATE DATABASE licensing_sessions;
CREATE DATABASE licensing_notifications;
