"""Every callback, action and block id of the review feature, named once."""

REVIEW = "/review"

# callback_id values
REVIEW_CALLBACK = "review_save"
COMMENT_CALLBACK = "review_comment"

# action_id values
VALUE = "value"  # every input's element
SIGN = "review_sign"
COMMENT = "review_comment_open"
CORRECT = "review_correct"

# block_id values (the services' field names are the input blocks' ids)
COMMENT_BLOCK = "comment"
