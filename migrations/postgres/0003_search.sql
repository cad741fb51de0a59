-- Initial consonants (초성) of display names, so that "ㅎㄱㄷ" finds 홍길동.
-- Filled by the application on write; rows older than this column are filled at start-up.
ALTER TABLE accounts ADD COLUMN name_choseong TEXT;
