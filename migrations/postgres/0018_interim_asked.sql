-- The petitioner may ask for an interim notice (중간 통지 요청): a step of its own.
ALTER TABLE complaint_steps DROP CONSTRAINT complaint_steps_step_check;
ALTER TABLE complaint_steps ADD CONSTRAINT complaint_steps_step_check
    CHECK (step IN ('received', 'started', 'answered', 'refused', 'transferred', 'extended', 'interim', 'arrived', 'appealed', 'interim_asked'));
