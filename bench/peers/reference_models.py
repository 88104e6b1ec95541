"""The four networks of netc's reference studies, in PyTorch, for side-by-side timing.

Shapes follow the Keras originals (TF 'same' padding approximated with symmetric
padding that yields the same output sizes). Copied from ../shared/bench with one
change: ResNet50 is Keras's (and netc's) v1 layout -- stride on each stage's first
1x1 convolution, convolutions with biases -- not torchvision's v1.5 (stride on the
3x3, no biases), so the three frameworks do the same arithmetic.
"""
import torch
import torch.nn as nn
import torchvision


def alexnet_cifar():
    def conv(cin, cout, k, s, p):
        return [nn.Conv2d(cin, cout, k, s, p), nn.BatchNorm2d(cout), nn.ReLU()]

    def dense(fin, fout, drop=True):
        layers = [nn.Linear(fin, fout), nn.BatchNorm1d(fout)]
        if drop:
            layers += [nn.ReLU(), nn.Dropout(0.4)]
        return layers

    return nn.Sequential(
        *conv(3, 96, 11, 4, 4), nn.MaxPool2d(2, 2),          # 8x8 -> 4x4
        *conv(96, 256, 5, 1, 2), nn.MaxPool2d(2, 2),         # 4x4 -> 2x2
        *conv(256, 384, 3, 1, 1),
        *conv(384, 384, 3, 1, 1),
        *conv(384, 256, 3, 1, 1), nn.MaxPool2d(2, 2),        # 2x2 -> 1x1
        nn.Flatten(),
        *dense(256, 4096), *dense(4096, 4096), *dense(4096, 1000),
        *dense(1000, 10, drop=False),                        # softmax in loss
    )


def resnet50_cifar():
    body = torchvision.models.resnet50(weights=None)
    body.fc = nn.Identity()                                  # 1x1x2048 at 32x32
    for stage in (body.layer2, body.layer3, body.layer4):   # v1: 1x1 strides
        stage[0].conv1.stride, stage[0].conv2.stride = (2, 2), (1, 1)
    for conv in body.modules():                              # Keras: use_bias
        if isinstance(conv, nn.Conv2d) and conv.bias is None:
            conv.bias = nn.Parameter(torch.zeros(conv.out_channels))
    return nn.Sequential(body, nn.Flatten(), nn.Linear(2048, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def lenet_mnist():
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 3), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84),
        nn.ReLU(), nn.Linear(84, 10))


def lenet_stl10():
    pre = [nn.Conv2d(3, 6, 5), nn.ReLU(), nn.AvgPool2d(2, 2)]
    for _ in range(4):
        pre += [nn.Conv2d(6, 6, 5), nn.ReLU()]
    pre += [nn.Conv2d(6, 1, 3), nn.ReLU()]                   # 28x28x1
    return nn.Sequential(*pre, *lenet_mnist())


MODELS = {
    # name: (constructor, input shape CHW, optimizer the study uses)
    "alexnet_cifar10": (alexnet_cifar, (3, 32, 32), "adam"),
    "resnet50_cifar10": (resnet50_cifar, (3, 32, 32), "rmsprop"),
    "lenet_mnist": (lenet_mnist, (1, 28, 28), "adam"),
    "lenet_stl10": (lenet_stl10, (3, 96, 96), "adam"),
}


def optimizer(name, params):
    # Keras defaults: adam lr 1e-3, rmsprop lr 1e-3 rho .9, adagrad lr 1e-3.
    if name == "adam":
        return torch.optim.Adam(params, lr=1e-3, eps=1e-7)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=1e-3, alpha=0.9, eps=1e-7)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=1e-3, initial_accumulator_value=0.1)
    raise ValueError(name)
