/**
 * `torch.onnx.export` takes any module, with one input or several, as PyTorch's does; the
 * options are typed.
 */
import * as torch from '../../src';
import { nn, type Tensor } from '../../src';

class Net extends nn.Module {
  fc = new nn.Linear(4, 2);
  forward(x: Tensor): Tensor {
    return this.fc.forward(x);
  }
}
class Two extends nn.Module<[Tensor, Tensor], [Tensor, Tensor]> {
  forward(a: Tensor, b: Tensor): [Tensor, Tensor] {
    return [a.add(b), a.mul(b)];
  }
}

const x = torch.randn([1, 4]);
torch.onnx.export(new Net(), x, 'net.onnx');
torch.onnx.export(new nn.Sequential(new nn.Linear(4, 2), new nn.ReLU()), x, 'seq.onnx', { dynamicAxes: { input: { 0: 'batch' } }, opsetVersion: 18 });
torch.onnx.export(new Two(), [x, x], 'two.onnx', { inputNames: ['a', 'b'], outputNames: ['sum', 'product'], dynamicAxes: { a: [0] } });
torch.onnx.export(new nn.MultiheadAttention(4, 2), [x, x, x], 'mha.onnx');
// @ts-expect-error: opsetVersion is a number
torch.onnx.export(new Net(), x, 'net.onnx', { opsetVersion: '17' });
// @ts-expect-error: an unknown option
torch.onnx.export(new Net(), x, 'net.onnx', { opset: 17 });
