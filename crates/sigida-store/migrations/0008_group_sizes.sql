-- A socio-economic group's size can come from the survey: the code of the indicator (a
-- weighted total) that estimates it, beside the size the community states.

ALTER TABLE socio_economic_groups ADD COLUMN size_indicator TEXT;
