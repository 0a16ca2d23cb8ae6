"""What droplint knows about Keras layer classes, by class name.

Only facts about structure live here (has weights? wraps a layer? leaves values alone?);
where dropout is applied, and how, is in droplint.formats.keras.sites.
"""

from __future__ import annotations

from droplint.graph import Node

OUTPUT_DROPOUT = {
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    "GaussianDropout", "AlphaDropout",
    "StochasticDepth",  # keras.applications' ConvNeXt: drop_path_rate, one draw per sample
}  # fmt: skip
STOCHASTIC_DEPTH_KEYS = {"name", "trainable", "dtype", "drop_path_rate"}  # its whole config

RECURRENT = {
    "LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
    "RNN", "CuDNNLSTM", "CuDNNGRU",
}  # fmt: skip
CELLS = {
    "LSTMCell",
    "GRUCell",
    "SimpleRNNCell",
    "ConvLSTMCell",
    "ConvLSTM2DCell",
    "StackedRNNCells",
}
ATTENTION = {
    "MultiHeadAttention", "GroupQueryAttention", "GroupedQueryAttention", "Attention",
    "AdditiveAttention",
}  # fmt: skip
WRAPPERS = {"Bidirectional", "TimeDistributed", "RNN"}
# Layers that combine several tensors by parts or value by value.
MERGES = {"Concatenate", "Add", "Average", "Subtract", "Maximum", "Minimum", "Multiply"}

# Parameter-free layers that only move, reshape or map values one by one: dropouts on either
# side of them act on the same values, so their rates compound.
TRANSPARENT = {
    "Reshape", "Flatten", "Permute", "Activation", "ReLU", "LeakyReLU", "ELU", "ThresholdedReLU",
    "Masking", "RepeatVector", "Identity", "GaussianNoise", "ActivityRegularization",
    "Cropping1D", "Cropping2D", "Cropping3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D",
}  # fmt: skip

# Layers with weights that dropout is meant to regularise (counted in coverage).
WEIGHTED = {
    "Dense", "EinsumDense", "Embedding",
    "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
    "LocallyConnected1D", "LocallyConnected2D",
    "MultiHeadAttention", "GroupQueryAttention", "GroupedQueryAttention",
} | RECURRENT  # fmt: skip

NORMALIZATION = {
    "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
    "RMSNormalization", "SyncBatchNormalization", "Normalization",
}  # fmt: skip

OTHER_BUILTIN = {
    "InputLayer", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
    "Dot", "Softmax", "PReLU", "Lambda", "TFOpLambda", "SlicingOpLambda",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
    "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalAvgPool3D", "Rescaling", "Resizing", "CenterCrop",
    "TextVectorization", "StringLookup", "IntegerLookup", "CategoryEncoding", "Hashing",
    "Discretization", "HashedCrossing", "RandomFlip", "RandomRotation", "RandomZoom",
    "RandomTranslation", "RandomContrast", "RandomCrop", "RandomBrightness",
} | NORMALIZATION  # fmt: skip

KNOWN = (
    OUTPUT_DROPOUT
    | RECURRENT
    | CELLS
    | ATTENTION
    | WRAPPERS
    | TRANSPARENT
    | WEIGHTED
    | OTHER_BUILTIN
)

# A TensorFlow function called on a tf-keras model's tensors, saved as a layer (`function`),
# and what droplint knows of the functions: they map values one by one or reshape them (a
# dropout's values pass on), or merge several activations.
TF_CALLS = {"TFOpLambda", "SlicingOpLambda"}
TF_TRANSPARENT = {
    "nn.relu", "nn.relu6", "nn.gelu", "nn.silu", "nn.swish", "nn.elu", "nn.selu",
    "nn.leaky_relu", "nn.softplus", "nn.softsign", "math.tanh", "reshape", "transpose",
    "compat.v1.transpose", "identity", "cast", "expand_dims", "squeeze",
    "nn.softmax", "math.softmax", "math.sigmoid", "nn.sigmoid", "math.log_softmax",
    "nn.log_softmax",  # probabilities: as an Activation layer, transparent to a series
}  # fmt: skip
TF_MERGES = {"__operators__.add": "Add", "math.add": "Add", "math.add_n": "Add",
             "math.subtract": "Subtract", "math.multiply": "Multiply", "concat": "Concatenate",
             "math.maximum": "Maximum", "math.minimum": "Minimum"}  # fmt: skip


# Keras 3 ops called on a functional model's tensors are saved as nodes of their own class
# (`keras.ops.relu(x)`: class Relu, module keras.src.ops.nn): the TensorFlow function each is.
KERAS_OPS_MODULE = "keras.src.ops"
KERAS_OPS = {
    "Relu": "nn.relu", "Relu6": "nn.relu6", "Gelu": "nn.gelu", "Silu": "nn.silu",
    "Elu": "nn.elu", "Selu": "nn.selu", "LeakyRelu": "nn.leaky_relu", "Softplus": "nn.softplus",
    "Softsign": "nn.softsign", "Tanh": "math.tanh", "Sigmoid": "math.sigmoid",
    "Softmax": "nn.softmax", "LogSoftmax": "nn.log_softmax", "Reshape": "reshape",
    "Transpose": "transpose", "ExpandDims": "expand_dims", "Squeeze": "squeeze", "Cast": "cast",
    "Add": "math.add", "Subtract": "math.subtract", "Multiply": "math.multiply",
    "Maximum": "math.maximum", "Minimum": "math.minimum", "Concatenate": "concat",
}  # fmt: skip


def keras_op(cls: str, module: object) -> bool:
    """A Keras 3 op droplint knows, saved as a node of a functional model."""
    return isinstance(module, str) and module.startswith(KERAS_OPS_MODULE) and cls in KERAS_OPS


def call_function(node: Node) -> str | None:
    """The TensorFlow function a node stands for: a TFOpLambda's, or a Keras 3 op's; None for
    a layer."""
    if keras_op(node.op, node.module):
        return KERAS_OPS[node.op]
    function = node.attrs.get("function") if node.op in TF_CALLS else None
    return function if isinstance(function, str) else None


# Layers that carry code droplint never runs.
EXECUTABLE = {"Lambda", "TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"}

MODELS = {"Sequential", "Functional", "Model"}
