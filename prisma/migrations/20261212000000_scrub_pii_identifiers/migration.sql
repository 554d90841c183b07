-- The digit groups of a UUID (a requestID such as 4b11991d-1234-5678-9012-0c31f802469d)
-- were taken for a phone number and withheld. A number hyphen-joined to a word or a
-- number is part of an identifier, not a phone number; nor is a UUID made of digits only. Same signature: the views that
-- call it, and an older replica reading them, are unchanged.
CREATE OR REPLACE FUNCTION "detractor_sync_scrub_pii"(message TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT regexp_replace(
             regexp_replace(message, '[^][[:space:]"''<>(),:@]+@[^][[:space:]"''<>(),:@]*', '[e-mail withheld]', 'g'),
             '(?<![[:alnum:]])(?<![[:alnum:]]-)(?![0-9]{4}-[0-9]{2}-[0-9]{2})(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})[+]?[(]?[0-9]([ ().-]{0,2}[0-9]){6,}(?!-?[[:alnum:]])',
             '[phone withheld]', 'g')
$fn$;
