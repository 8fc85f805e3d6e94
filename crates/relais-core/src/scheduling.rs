//! Scheduling in the workspace's time zone: wall-clock times across DST changes, posting slots.
