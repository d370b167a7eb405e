"""The analysis wing: tidy values + the plan → gap tables, trends and the notebooks' view of them."""
