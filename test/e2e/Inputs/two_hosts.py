"""Runs a program over MPI ranks on two "hosts" of one machine: two network
namespaces joined by a veth pair, mpirun started in the first and launching
the second's daemon through `ip netns exec` as its remote agent (Open MPI's
plm_rsh_agent), so the ranks talk TCP over the veth link as over a network
(ranks-two-hosts.test). Needs root. The namespaces get names and a subnet of
their own and are removed afterwards, whatever happens.

usage: two_hosts.py WORKDIR -- PROGRAM ARGS...   (one rank per host)
       two_hosts.py --probe                       (exit 0 when it can work)
"""
import os
import random
import subprocess
import sys


def ip(*args):
    subprocess.run(["ip"] + list(args), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def up(tag, subnet):
    names = ["netc%s-%d" % (tag, i) for i in (1, 2)]
    veths = ["nv%s%d" % (tag, i) for i in (1, 2)]
    hosts = ["%s.%d" % (subnet, i) for i in (1, 2)]
    for ns in names:
        ip("netns", "add", ns)
    ip("link", "add", veths[0], "type", "veth", "peer", "name", veths[1])
    for ns, veth, host in zip(names, veths, hosts):
        ip("link", "set", veth, "netns", ns)
        ip("-n", ns, "addr", "add", host + "/24", "dev", veth)
        ip("-n", ns, "link", "set", veth, "up")
        ip("-n", ns, "link", "set", "lo", "up")
    return names, hosts


def down(names):
    for ns in names:
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def write_files(workdir, names, hosts):
    agent = os.path.join(workdir, "agent.sh")
    with open(agent, "w") as f:
        f.write("#!/bin/sh\n# mpirun's remote agent: AGENT HOST COMMAND...\n")
        f.write("host=$1; shift\ncase \"$host\" in\n")
        for ns, host in zip(names, hosts):
            f.write("  %s) ns=%s ;;\n" % (host, ns))
        f.write("  *) echo \"agent: unknown host $host\" >&2; exit 1 ;;\nesac\n")
        f.write("exec ip netns exec \"$ns\" sh -c \"$*\"\n")
    os.chmod(agent, 0o755)
    hostfile = os.path.join(workdir, "hosts")
    with open(hostfile, "w") as f:
        f.writelines("%s slots=1\n" % h for h in hosts)
    return agent, hostfile


def main(argv):
    tag = "%04x" % random.randrange(1 << 16)
    subnet = "10.%d.%d" % (random.randrange(100, 250), random.randrange(1, 250))
    names = []
    try:
        names, hosts = up(tag, subnet)
        if argv == ["--probe"]:
            return 0
        workdir, command = argv[0], argv[argv.index("--") + 1:]
        agent, hostfile = write_files(workdir, names, hosts)
        net = subnet + ".0/24"
        mpirun = ["ip", "netns", "exec", names[0], "mpirun",
                  "--allow-run-as-root", "--hostfile", hostfile, "-np", "2",
                  "--mca", "plm_rsh_agent", agent, "--mca", "btl", "tcp,self",
                  "--mca", "btl_tcp_if_include", net,
                  "--mca", "oob_tcp_if_include", net, "-x", "OMP_NUM_THREADS"]
        return subprocess.run(mpirun + command, timeout=300).returncode
    except (subprocess.CalledProcessError, OSError):
        return 1
    finally:
        down(names)


sys.exit(main(sys.argv[1:]))
