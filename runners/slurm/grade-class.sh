#!/bin/sh
# Grade a class on a Slurm cluster: a job array, one task per shard (grade-all --shard K/N), and
# a merge job that starts when every task has succeeded (afterok) and writes OUT as one
# unsharded grade-all run would, byte for byte.
#
#   runners/slurm/grade-class.sh [--shards N] [--cpus C] [--config TOML] [--fetch CLASS_LIST]
#                                [--wait] SUBMISSIONS OUT [-- GRADE_ALL_OPTIONS...]
#
# SUBMISSIONS, OUT and this repository (with its .venv; AUTOGRADER_PYTHON names another
# interpreter) must be on a filesystem the compute nodes share. The shards write OUT-shards/
# shard-K, the logs go to OUT-shards/logs/. GRADE_ALL_OPTIONS go to every shard (--only,
# --due ISO8601 --submitted-at CSV --late-penalty F --extensions CSV, --force). Partition,
# account and time limit come from sbatch's own variables (SBATCH_PARTITION, SBATCH_ACCOUNT,
# SBATCH_TIMELIMIT). --wait returns when the merge job has ended, with its exit status.
#
# Privacy, as the other runners: --fetch runs runners/fetch_submissions.py HERE, on the host
# that submits, the only place GRADER_TOKEN is read; it also writes OUT-shards/submitted-at.csv
# (the platform's times) for --due. Every job is submitted with --export=NONE, so no variable
# of this shell (the token included) reaches a job or Slurm's spool; the jobs run student code
# only inside the engine's sandbox (grade-all refuses to run without it).
set -eu

usage() { echo "usage: $0 [--shards N] [--cpus C] [--config TOML] [--fetch CLASS_LIST] [--wait] SUBMISSIONS OUT [-- GRADE_ALL_OPTIONS...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
python=${AUTOGRADER_PYTHON:-$repo/.venv/bin/python}
shards=4 cpus=2 config=$repo/grading.toml fetch= wait=
while [ $# -gt 0 ]; do
    case $1 in
        --shards) shards=$2; shift 2 ;;
        --cpus) cpus=$2; shift 2 ;;
        --config) config=$2; shift 2 ;;
        --fetch) fetch=$2; shift 2 ;;
        --wait) wait=--wait; shift ;;
        --) break ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || usage
submissions=$1 out=$2
shift 2
[ "${1:-}" = "--" ] && shift
case $shards in ''|*[!0-9]*|0) echo "--shards must be a positive number" >&2; exit 2 ;; esac
case $cpus in ''|*[!0-9]*|0) echo "--cpus must be a positive number" >&2; exit 2 ;; esac
work=$out-shards
mkdir -p "$work/logs"
absolute() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
config=$(absolute "$config")
out=$(absolute "$out") work=$(absolute "$work")

if [ -n "$fetch" ]; then
    "$python" "$repo/runners/fetch_submissions.py" "$fetch" "$submissions" --config "$config" \
        --log "$work/fetched.csv" --submitted-at "$work/submitted-at.csv"
fi
unset GRADER_TOKEN
[ -d "$submissions" ] || { echo "$submissions: not a folder of submissions" >&2; exit 2; }
submissions=$(absolute "$submissions")

array=$(sbatch --parsable --export=NONE --chdir="$repo" --job-name=grade-class --array="1-$shards" \
    --cpus-per-task="$cpus" --output="$work/logs/shard-%a.out" \
    "$here/shard.sbatch" "$python" "$config" "$submissions" "$work" "$shards" "$cpus" "$@")
array=${array%%;*}
echo "shards: job array $array (1-$shards), logs in $work/logs"
merge=$(sbatch --parsable --export=NONE --chdir="$repo" --job-name=grade-class-merge \
    --dependency="afterok:$array" --kill-on-invalid-dep=yes --output="$work/logs/merge.out" $wait \
    "$here/merge.sbatch" "$python" "$config" "$work" "$shards" "$out") || status=$?
echo "merge: job ${merge%%;*} after $array -> $out/gradebook.csv"
exit "${status:-0}"
