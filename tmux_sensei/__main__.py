from tmux_sensei.cli import run

run()
