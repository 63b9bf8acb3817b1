-- Per-row foreign-key checks on job_id and label_id cost about two thirds of a bulk COPY of shapes.
-- Writers (the annotation repository) lock the job row and check every label id against the task's
-- labels before writing, so those checks move out of the hot path; deletions keep the data consistent:
-- a statement trigger removes the annotations of deleted jobs (also when a task or project cascade
-- deletes them), and the label repository removes the annotations of a label it deletes.

ALTER TABLE annotation_tags DROP CONSTRAINT annotation_tags_job_id_fkey;
ALTER TABLE annotation_tags DROP CONSTRAINT annotation_tags_label_id_fkey;
ALTER TABLE annotation_shapes DROP CONSTRAINT annotation_shapes_job_id_fkey;
ALTER TABLE annotation_shapes DROP CONSTRAINT annotation_shapes_label_id_fkey;
ALTER TABLE annotation_tracks DROP CONSTRAINT annotation_tracks_job_id_fkey;
ALTER TABLE annotation_tracks DROP CONSTRAINT annotation_tracks_label_id_fkey;

CREATE FUNCTION delete_annotations_of_deleted_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM annotation_tags a USING deleted_jobs d WHERE a.job_id = d.id;
  DELETE FROM annotation_shapes a USING deleted_jobs d WHERE a.job_id = d.id;
  DELETE FROM annotation_tracks a USING deleted_jobs d WHERE a.job_id = d.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_delete_annotations AFTER DELETE ON jobs
  REFERENCING OLD TABLE AS deleted_jobs
  FOR EACH STATEMENT EXECUTE FUNCTION delete_annotations_of_deleted_jobs();
