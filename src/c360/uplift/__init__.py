"""Uplift modelling from the past randomised campaign: who does the offer actually change?

`dataset` reads point-in-time features and post-campaign outcomes from the warehouse,
`learners` fits T- and X-learners, `qini` scores rankings, `pipeline` glues them for
`c360 uplift`. `truth` compares with the generator's hidden per-customer effect: it is
evaluation only, and nothing that trains or scores imports it.
"""
