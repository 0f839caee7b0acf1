#!/usr/bin/env python3
"""The DaemonSet's checksum/config annotation: sha256 of the ConfigMap's
config.yaml (its text as Kubernetes stores it). Prints it; with --write,
puts it into daemonset.yaml (only that line changes)."""
import hashlib
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def checksum():
    with open(os.path.join(HERE, 'configmap.yaml')) as f:
        cm = yaml.safe_load(f)
    return hashlib.sha256(cm['data']['config.yaml'].encode()).hexdigest()


def main():
    sum_ = checksum()
    if sys.argv[1:] == ['--write']:
        path = os.path.join(HERE, 'daemonset.yaml')
        with open(path) as f:
            text = f.read()
        text, n = re.subn(r'(checksum/config: )"[0-9a-f]*"', r'\g<1>"%s"' % sum_, text)
        if n != 1:
            sys.exit('daemonset.yaml: no checksum/config annotation')
        with open(path, 'w') as f:
            f.write(text)
    print(sum_)


if __name__ == '__main__':
    main()
