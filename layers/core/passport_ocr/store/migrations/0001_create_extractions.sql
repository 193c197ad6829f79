-- One row per distinct image: the extraction record, where the image came from, and what failed.
-- Every document field is its own typed column so it can be searched and constrained;
-- the evidence (checks, corrections, confidence, warnings, timings) is jsonb because its shape
-- belongs to the record schema, not to the database.

CREATE TABLE extractions (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    status           text        NOT NULL
                     CONSTRAINT extractions_status_check
                     CHECK (status IN ('extracted', 'needs_review', 'failed')),

    document_type    text,
    document_code    text,
    issuing_country  text,
    surname          text,
    given_names      text,
    document_number  text,
    nationality      text,
    date_of_birth    date,
    sex              text,
    date_of_expiry   date,
    date_of_issue    date,
    personal_number  text,
    place_of_birth   text,
    authority        text,

    mrz_format        text,
    mrz_lines         text[],
    mrz_raw_lines     text[],
    mrz_optional_data text[],
    mrz_valid         boolean,
    checks            jsonb NOT NULL DEFAULT '[]'::jsonb,
    corrections       jsonb NOT NULL DEFAULT '[]'::jsonb,
    confidence        jsonb NOT NULL DEFAULT '{}'::jsonb,
    warnings          jsonb NOT NULL DEFAULT '[]'::jsonb,
    engine            text,
    timings           jsonb NOT NULL DEFAULT '{}'::jsonb,

    -- A failed row says why (errors.PassportOcrError.code / .message); other rows have neither.
    failure_code     text,
    failure_reason   text,
    CONSTRAINT extractions_failure_check
        CHECK ((status = 'failed') = (failure_code IS NOT NULL)),

    source_bucket    text,
    source_key       text,
    source_version   text,          -- S3 version id, or the ETag when the bucket is unversioned
    filename         text,
    content_type     text,
    -- The identity of an upload: the same bytes delivered twice (SQS redelivery, a second
    -- upload) must land on the same row.
    image_sha256     text        NOT NULL
                     CONSTRAINT extractions_image_sha256_key UNIQUE
                     CONSTRAINT extractions_image_sha256_check CHECK (image_sha256 ~ '^[0-9a-f]{64}$'),
    image_bytes      bigint      CHECK (image_bytes >= 0),

    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Searches. Surnames are matched case-insensitively by prefix: LIKE 'abc%' on lower(surname)
-- can use a text_pattern_ops index whatever the database collation is.
CREATE INDEX extractions_document_number_idx ON extractions (document_number);
CREATE INDEX extractions_surname_prefix_idx ON extractions (lower(surname) text_pattern_ops);
CREATE INDEX extractions_nationality_idx ON extractions (nationality);

-- Keyset pagination walks (created_at, id) newest first; the status variant serves the
-- review queue (status = 'needs_review', newest first) without a sort.
CREATE INDEX extractions_created_at_id_idx ON extractions (created_at, id);
CREATE INDEX extractions_status_created_at_id_idx ON extractions (status, created_at, id);
