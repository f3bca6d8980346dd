# SCRL's LARS with orl_mm's earlier exclusion rule ('plain_1d', see lars_coslr_scrl.py):
# every 1-D parameter (all BN and bias) skips LARS, gets no weight decay and the plain
# momentum-SGD step lr mu (mu accumulating g), instead of the reference's name match and
# its lr^2 step. Use it in place of lars_coslr_scrl.py in a config's _base_.
_base_ = ['./lars_coslr_scrl.py']
optim_wrapper = dict(optimizer=dict(exclude_1d=True, excluded_update='grad'))
