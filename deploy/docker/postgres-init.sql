-- One database per service; each service migrates its own at boot.
CREATE DATABASE licensing_keys;
CREATE DATABASE licensing_coupons;
CREATE DATABASE licensing_sessions;
CREATE DATABASE licensing_notifications;
