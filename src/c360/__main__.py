from c360.cli import app

app(prog_name="c360")
