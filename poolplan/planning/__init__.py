"""Planning in the product: from the roster's database to planner instances and back."""
