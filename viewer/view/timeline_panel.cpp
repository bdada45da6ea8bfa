// placeholder: written in this session (issue 4)
