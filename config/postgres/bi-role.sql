-- A read-only role for BI tools (Grafana, Metabase, Power BI) on a JourneyStore
-- PostgreSQL projection: it may read the bi_* views and nothing else, and write nothing.
-- Run as the projection's owner, in the projection's database, e.g.:
--   psql "postgres://journey@hq-db/journey" -v bi_role=journey_bi -v bi_password="$BI_PASSWORD" -f config/postgres/bi-role.sql
-- The views run with their owner's rights, so the role needs no grant on the tables.
CREATE ROLE :"bi_role" LOGIN PASSWORD :'bi_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
REVOKE ALL ON SCHEMA public FROM :"bi_role";
GRANT USAGE ON SCHEMA public TO :"bi_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT SELECT ON bi_parameters, bi_intervals, bi_site_days, bi_agent_days, bi_team_weeks, bi_contacts, bi_journeys, bi_repeat_causes TO :"bi_role";
ALTER ROLE :"bi_role" SET default_transaction_read_only = on;
